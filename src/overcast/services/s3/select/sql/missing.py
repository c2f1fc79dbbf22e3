"""MISSING: the value of a JSON path that is absent (distinct from an explicit null)."""


class _Missing:
    """Singleton; falsy; the JSON writer omits such a field, the CSV writer writes it empty."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self):
        return (_Missing, ())


MISSING = _Missing()
