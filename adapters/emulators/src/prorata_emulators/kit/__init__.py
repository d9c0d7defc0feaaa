"""What the provider emulators share: the server, the gate, faults, the log and webhooks.

- :class:`Emulator`: the handle of a running emulator (``with StripeEmulator() as e:``): ``url``,
  ``requests()`` (method, path, body, response status of each request), ``inject(Fault(...))``,
  ``limit_writes(n)``, ``request_counts()`` and the shared ``/_emulator/*`` control routes.
- :class:`Gate`: counts, write limit and faults in front of an emulator's routes.
- :class:`EmulatorHTTPServer`: the threaded HTTP/1.1 keep-alive server; a new emulator plugs in
  ``handle(method, target, headers, body)`` returning a reply (``status``, ``body``, ``headers``,
  ``drop``).
- :class:`WebhookDelivery`: ordered, retried delivery of signed webhooks.
- :class:`SeedError`: what a refused ``emulator.seed`` request raises.
- :class:`WebhookReceiver`: a test endpoint that records the webhooks posted to it.
"""

from prorata_emulators.kit._delivery import Delivery, WebhookDelivery
from prorata_emulators.kit._emulator import App, Emulator
from prorata_emulators.kit._faults import FAULT_KINDS, Fault, FaultKind, Faults, fault_from_json
from prorata_emulators.kit._gate import Admission, Gate, Refusal
from prorata_emulators.kit._log import LoggedRequest, RequestLog
from prorata_emulators.kit._rate import WriteLimit
from prorata_emulators.kit._receiver import ReceivedWebhook, WebhookReceiver
from prorata_emulators.kit._seeding import SeedError, seeded
from prorata_emulators.kit._server import EmulatorHTTPServer, Handle, Reply

__all__ = [
    "FAULT_KINDS",
    "Admission",
    "App",
    "Delivery",
    "Emulator",
    "EmulatorHTTPServer",
    "Fault",
    "FaultKind",
    "Faults",
    "Gate",
    "Handle",
    "LoggedRequest",
    "ReceivedWebhook",
    "Refusal",
    "Reply",
    "RequestLog",
    "SeedError",
    "WebhookDelivery",
    "WebhookReceiver",
    "WriteLimit",
    "fault_from_json",
    "seeded",
]
