"""Against Dodo's test mode, only when DODO_PAYMENTS_TEST_API_KEY is set."""

from __future__ import annotations

import os

import pytest

from prorata import Catalog
from prorata.errors import NotFoundError
from prorata.provider import ProviderSettings, Secret
from prorata_contract import contract_catalog
from prorata_dodo import DodoProvider

KEY = os.environ.get("DODO_PAYMENTS_TEST_API_KEY")
pytestmark = pytest.mark.skipif(
    KEY is None, reason="DODO_PAYMENTS_TEST_API_KEY is not set: Dodo test mode not reachable"
)


@pytest.fixture
def real_provider() -> DodoProvider:
    assert KEY is not None
    catalog: Catalog = contract_catalog()
    settings = ProviderSettings(
        name="dodo",
        catalog=catalog,
        options={"environment": "test_mode", "strict": True},
        secrets={"api_key": Secret(KEY, source="env:DODO_PAYMENTS_TEST_API_KEY")},
    )
    return DodoProvider.from_settings(settings)


def test_real_not_found_is_typed(real_provider: DodoProvider) -> None:
    with pytest.raises(NotFoundError) as caught:
        real_provider.get_subscription("sub_prorata_does_not_exist")
    assert caught.value.http_status == 404


def test_real_api_has_no_time_control(real_provider: DodoProvider) -> None:
    assert real_provider.time_control() is None


def test_real_list_is_strictly_valid(real_provider: DodoProvider) -> None:
    from prorata_dodo._pages import all_pages

    rows = list(all_pages(real_provider._client.subscriptions.list))  # pyright: ignore[reportPrivateUsage]
    assert all(row.subscription_id for row in rows)
