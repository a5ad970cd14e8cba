"""Secret values of an outbox row (a sign-in code, an address) are stored encrypted.

The key is derived from the application secret for this one purpose, so the outbox table alone
reveals no code; the dispatcher erases the sealed values once the row is sent or dead.
"""

from __future__ import annotations

import json

from openindustry.config import Settings
from openindustry.kit import crypto


class Sealer:
    def __init__(self, settings: Settings) -> None:
        key = crypto.derive_key(settings.secret_key.get_secret_value(), "outbox-sealed")
        self._cipher = crypto.DataCipher(key)

    def seal(self, values: dict[str, str]) -> bytes:
        return self._cipher.encrypt(json.dumps(values, ensure_ascii=False))

    def unseal(self, sealed: bytes | None) -> dict[str, str]:
        """The values; {} when nothing is sealed. ValueError when the key does not fit."""
        if sealed is None:
            return {}
        values = json.loads(self._cipher.decrypt(sealed))
        if not isinstance(values, dict):
            raise ValueError("sealed values are not a mapping")
        return {str(k): str(v) for k, v in values.items()}
