"""The reference host app: a subscription backend's endpoints on prorata, for any provider.

``create_app(billing, assets_path)`` builds the FastAPI app; ``python -m host_app`` (or
``uvicorn host_app:app``) serves it on the provider that ``prorata.toml`` names.
"""

from host_app._app import create_app

__all__ = ["create_app"]
