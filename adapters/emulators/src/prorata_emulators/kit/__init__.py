"""What the provider emulators share: the HTTP/1.1 keep-alive server and the request log.

A new emulator (or a new route family) plugs in a ``handle(method, target, headers, body)``
function returning a reply with ``status``, ``body``, ``headers`` and ``drop``; the server
serves it with keep-alive and logs every request (method, path, body, response status).
``Faults`` is the fault injection both emulators honour (see ``prorata_emulators.kit._faults``).
``WebhookReceiver`` is a test endpoint that records the webhooks posted to it.
"""

from prorata_emulators.kit._faults import FAULT_KINDS, Fault, FaultKind, Faults, fault_from_json
from prorata_emulators.kit._log import LoggedRequest, RequestLog
from prorata_emulators.kit._rate import WriteLimit
from prorata_emulators.kit._receiver import ReceivedWebhook, WebhookReceiver
from prorata_emulators.kit._server import EmulatorHTTPServer, Handle, Reply

__all__ = [
    "FAULT_KINDS",
    "EmulatorHTTPServer",
    "Fault",
    "FaultKind",
    "Faults",
    "Handle",
    "LoggedRequest",
    "ReceivedWebhook",
    "Reply",
    "RequestLog",
    "WebhookReceiver",
    "WriteLimit",
    "fault_from_json",
]
