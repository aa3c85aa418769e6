"""The root of every exception solinbox raises.

::

    SolinboxError
    ├── BuildError              the on-chain build pipeline (solinbox.build)
    │   ├── ToolchainError      a required compiler or library is missing
    │   ├── CodegenError        LLVM rejected the program (too many arguments, i128, ...)
    │   └── LinkError           the object cannot become an sBPF v0 program (forbidden instruction, ...)
    ├── LightPackageError       the pinned Light Protocol package cannot be fetched or verified
    └── ProgramBinaryError      no usable inbox program .so (packaged, --program-so, $SOLINBOX_PROGRAM_SO)

Catch :class:`SolinboxError` to handle anything from this package; the subclasses let callers be precise.
"""

from __future__ import annotations

__all__ = [
    "BuildError",
    "CodegenError",
    "LightPackageError",
    "LinkError",
    "ProgramBinaryError",
    "SolinboxError",
    "ToolchainError",
]


class SolinboxError(Exception):
    """Base class of every error raised by solinbox."""


class BuildError(SolinboxError):
    """The program could not be built."""


class ToolchainError(BuildError):
    """A compiler, library or package the build needs is missing or unusable."""


class CodegenError(BuildError):
    """LLVM refused to generate BPF code for the program."""


class LinkError(BuildError):
    """The compiled object cannot be turned into a loadable sBPF v0 program."""


class LightPackageError(SolinboxError):
    """The pinned Light Protocol package could not be fetched or did not verify."""


class ProgramBinaryError(SolinboxError):
    """The inbox program's ``.so`` is missing or unreadable (packaged copy or an explicit path)."""
