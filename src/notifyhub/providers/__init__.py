"""Reference providers of the example system: the user service and the template service.

Each is a hand-written Starlette app implementing its spec in ``openapi/``. Start one
with ``python -m notifyhub.providers.user_service --port 0`` (or ``template_service``),
or from Python with :func:`run_provider`.
"""

from notifyhub.providers._serve import ProviderStartError, RunningProvider, run_provider

__all__ = ["ProviderStartError", "RunningProvider", "run_provider"]
