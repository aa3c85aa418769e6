"""``solinbox-ld``: the linker rustc calls for ``bpfel-unknown-none``.

rustc's BPF linker flavour passes bitcode objects (and rlibs, which are ``ar`` archives of
bitcode), ``-o OUT``, ``--export-symbols FILE``, ``--cpu NAME``, ``-O<n>``, ``--debug`` and
``-L DIR``. We generate code for every bitcode input (:mod:`solinbox.build.llvm`), then turn the
object into an sBPF v0 shared object (:mod:`solinbox.build.postlink`). The CPU rustc names is
ignored: sBPF v0 needs ``v2`` without ALU32.

Set ``SOLINBOX_LD_KEEP_OBJECT=1`` to also write the intermediate object as ``OUT.o``, and
``SOLINBOX_LD_SAVE_BITCODE=PREFIX`` to save the input modules as ``PREFIX.<n>.bc``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from solinbox.build.llvm import CodegenOptions, codegen
from solinbox.build.postlink import link_program
from solinbox.errors import BuildError, LinkError

__all__ = ["LinkerArgs", "main", "parse_args", "read_inputs"]

_BITCODE_MAGIC = b"BC\xc0\xde"
_WRAPPER_MAGIC = b"\xde\xc0\x17\x0b"


@dataclass(slots=True)
class LinkerArgs:
    """What rustc asked the linker to do."""

    output: Path
    inputs: list[Path] = field(default_factory=list)
    exports: list[str] = field(default_factory=list)


def parse_args(argv: Sequence[str]) -> LinkerArgs:
    """Parse rustc's BPF linker command line; unknown flags are ignored, inputs kept."""
    output: Path | None = None
    inputs: list[Path] = []
    exports: list[str] = []
    it = iter(argv)
    for arg in it:
        if arg == "-o":
            output = Path(next(it))
        elif arg == "--export-symbols":
            exports += Path(next(it)).read_text().split()
        elif arg.startswith("--export="):
            exports += arg.split("=", 1)[1].split(",")
        elif arg in ("--cpu", "-L", "--cpu-features", "--target"):
            next(it, None)
        elif arg.startswith("-"):
            continue
        else:
            inputs.append(Path(arg))
    if output is None:
        raise LinkError("no output file (-o) given")
    return LinkerArgs(output, inputs, exports)


def _archive_members(blob: bytes) -> list[bytes]:
    """The members of a System V / GNU ``ar`` archive (rlibs are archives).

    The symbol table (``/``, ``/SYM64/``) and the long-name table (``//``) are skipped; members
    named ``/N`` take their name from the long-name table, BSD ``#1/N`` names precede the data.
    """
    members: list[bytes] = []
    pos = 8
    while pos + 60 <= len(blob):
        header = blob[pos : pos + 60]
        name = header[:16].decode(errors="replace").rstrip()
        size = int(header[48:58].decode().strip())
        data = blob[pos + 60 : pos + 60 + size]
        pos += 60 + size + (size & 1)
        if name in ("/", "//", "/SYM64/") or name.startswith("__.SYMDEF"):
            continue
        if name.startswith("#1/"):
            data = data[int(name[3:]) :]
        members.append(data)
    return members


def read_inputs(paths: Sequence[Path]) -> list[bytes]:
    """Collect the bitcode modules from objects and rlibs (non-bitcode members are skipped)."""
    modules: list[bytes] = []
    for path in paths:
        blob = path.read_bytes()
        candidates = _archive_members(blob) if blob.startswith(b"!<arch>\n") else [blob]
        modules += [c for c in candidates if c[:4] in (_BITCODE_MAGIC, _WRAPPER_MAGIC)]
    return modules


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``solinbox-ld``; returns the process exit code."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        modules = read_inputs(args.inputs)
        if save := os.environ.get("SOLINBOX_LD_SAVE_BITCODE"):
            for i, module in enumerate(modules):
                Path(f"{save}.{i}.bc").write_bytes(module)
        exports = args.exports or ["entrypoint"]
        obj = codegen(modules, exports, CodegenOptions())
        if os.environ.get("SOLINBOX_LD_KEEP_OBJECT"):
            args.output.with_suffix(args.output.suffix + ".o").write_bytes(obj)
        program = link_program(obj)
    except BuildError as exc:
        print(f"solinbox-ld: error: {exc}", file=sys.stderr)
        return 1
    args.output.write_bytes(program.so)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
