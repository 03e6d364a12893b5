"""contractgate: contracts that gate integration.

OpenAPI specs (the provider's promise) and Pact files (what the consumer really uses)
drive stubs with fault injection, compatibility checks, provider verification,
fuzzing, and a CI gate. See ARCHITECTURE.md for how the pieces fit.
"""

from ._errors import ContractgateError, InputError, ServiceError, SetupError

__all__ = ["ContractgateError", "InputError", "ServiceError", "SetupError"]
__version__ = "0.1.0"
