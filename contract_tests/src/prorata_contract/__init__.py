"""prorata-contract: the shared contract-test suite (a pytest plugin)."""

from prorata_contract._catalog import CONTRACT_PLANS, contract_catalog

__all__ = ["CONTRACT_PLANS", "contract_catalog"]
