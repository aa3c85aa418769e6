"""The on-chain build pipeline: cargo (build-std) → LLVM BPF codegen → sBPF v0 ``.so``.

Public entry points:

* :func:`build_program` — build a workspace package into ``target/deploy/<name>.so``;
* :func:`link_program` — turn a BPF relocatable object into an sBPF v0 shared object;
* :func:`codegen` — generate a BPF object from LLVM bitcode through libLLVM.

See ``docs/toolchain.md`` for why each step exists.
"""

from solinbox.build.cargo import TARGET, BuildResult, Toolchain, build_program, find_toolchain
from solinbox.build.llvm import CodegenOptions, codegen
from solinbox.build.postlink import LinkedProgram, link_program

__all__ = [
    "TARGET",
    "BuildResult",
    "CodegenOptions",
    "LinkedProgram",
    "Toolchain",
    "build_program",
    "codegen",
    "find_toolchain",
    "link_program",
]
