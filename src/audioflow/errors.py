"""The exceptions audioflow raises."""

__all__ = [
    "AudioflowError",
    "ParameterError",
    "AudioDecodeError",
    "MissingDependencyError",
]


class AudioflowError(Exception):
    """Base class of every error raised by audioflow."""


class ParameterError(AudioflowError, ValueError):
    """An argument has an invalid value (raised before any computation or I/O)."""


class AudioDecodeError(AudioflowError, OSError):
    """An audio file cannot be read: the message names the file and the reason."""

    def __init__(self, path, reason):
        self.path = str(path)
        self.reason = str(reason)
        super().__init__(f"Cannot decode audio file '{self.path}': {self.reason}")

    def __reduce__(self):
        return (type(self), (self.path, self.reason))


class MissingDependencyError(AudioflowError, ImportError):
    """An optional dependency needed for the requested feature is not installed."""
