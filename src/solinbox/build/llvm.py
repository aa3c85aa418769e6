"""BPF code generation through libLLVM's C API (ctypes), the way a linker for rustc's bitcode must.

rustc hands the linker LLVM bitcode for the ``bpfel-unknown-none`` target. We load it into
libLLVM 22 (the same LLVM rustc-web is built with), link the modules, keep only the exported
symbols, lower atomics and emit a BPF object for CPU ``v2`` with misaligned access allowed and
a 4 KiB stack frame, after turning ``sret`` parameters into plain pointers (the BPF backend
refuses them although they are ordinary arguments on BPF). ``llc`` cannot do this job: it aborts on the "call to built-in function
memcpy is not supported" diagnostic that every variable-length copy produces. A diagnostic
handler here ignores exactly those (the post-link step maps them to syscalls) and turns every
other LLVM error into a :class:`~solinbox.errors.CodegenError`.
"""

from __future__ import annotations

import ctypes
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from solinbox.errors import CodegenError, ToolchainError

__all__ = ["CodegenOptions", "codegen", "find_libllvm"]

_LIB_CANDIDATES = (
    "/usr/lib/llvm-22/lib/libLLVM.so.22.1",
    "/usr/lib/llvm-22/lib/libLLVM-22.so",
    "/usr/lib/x86_64-linux-gnu/libLLVM.so.22.1",
    "/usr/lib/x86_64-linux-gnu/libLLVM-22.so.1",
)

#: LLVM errors we deliberately let through: the post-link step resolves these calls.
_IGNORED = re.compile(
    r"A call to built-in function '(memcpy|memmove|memset|memcmp|bcmp)' is not supported"
)

#: parts of LLVM's messages that only say "no source location" or print a node's address
_NOISE = re.compile(r"<unknown>:0:0: |0x[0-9a-f]{6,}: ")

_c_void_p = ctypes.c_void_p
_DiagHandler = ctypes.CFUNCTYPE(None, _c_void_p, _c_void_p)

# LLVM-C enums
_LLVMCodeGenLevelAggressive = 3
_LLVMRelocStatic = 1
_LLVMCodeModelDefault = 0
_LLVMObjectFile = 1
_LLVMDSError = 0
_LLVMInternalLinkage = 8
_LLVMDefaultVisibility = 0


@dataclass(frozen=True, slots=True)
class CodegenOptions:
    """How to generate code; the defaults are what sBPF v0 needs."""

    cpu: str = "v2"
    features: str = "+allows-misaligned-mem-access"
    stack_size: int = 4096
    #: run LLVM's optimisation pipeline again after linking (rustc already optimised with LTO)
    optimize: bool = False


def find_libllvm() -> Path:
    """Locate libLLVM 22 (``$SOLINBOX_LIBLLVM`` overrides the search)."""
    override = os.environ.get("SOLINBOX_LIBLLVM")
    for cand in ([override] if override else []) + list(_LIB_CANDIDATES):
        if cand and Path(cand).exists():
            return Path(cand)
    raise ToolchainError(
        "libLLVM 22 not found: install the Debian package llvm-22 (scripts/setup does) "
        "or point SOLINBOX_LIBLLVM at libLLVM.so.22.1"
    )


@cache
def _lib() -> ctypes.CDLL:
    lib = ctypes.CDLL(str(find_libllvm()))
    sig: dict[str, tuple[object, list[object]]] = {
        "LLVMContextCreate": (_c_void_p, []),
        "LLVMContextDispose": (None, [_c_void_p]),
        "LLVMContextSetDiagnosticHandler": (None, [_c_void_p, _DiagHandler, _c_void_p]),
        "LLVMGetDiagInfoDescription": (_c_void_p, [_c_void_p]),
        "LLVMGetDiagInfoSeverity": (ctypes.c_int, [_c_void_p]),
        "LLVMDisposeMessage": (None, [_c_void_p]),
        "LLVMCreateMemoryBufferWithMemoryRangeCopy": (
            _c_void_p,
            [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p],
        ),
        "LLVMDisposeMemoryBuffer": (None, [_c_void_p]),
        "LLVMGetBufferStart": (_c_void_p, [_c_void_p]),
        "LLVMGetBufferSize": (ctypes.c_size_t, [_c_void_p]),
        "LLVMParseBitcodeInContext2": (
            ctypes.c_int,
            [_c_void_p, _c_void_p, ctypes.POINTER(_c_void_p)],
        ),
        "LLVMLinkModules2": (ctypes.c_int, [_c_void_p, _c_void_p]),
        "LLVMDisposeModule": (None, [_c_void_p]),
        "LLVMSetTarget": (None, [_c_void_p, ctypes.c_char_p]),
        "LLVMGetFirstFunction": (_c_void_p, [_c_void_p]),
        "LLVMGetNextFunction": (_c_void_p, [_c_void_p]),
        "LLVMGetFirstGlobal": (_c_void_p, [_c_void_p]),
        "LLVMGetNextGlobal": (_c_void_p, [_c_void_p]),
        "LLVMGetValueName2": (ctypes.c_char_p, [_c_void_p, ctypes.POINTER(ctypes.c_size_t)]),
        "LLVMIsDeclaration": (ctypes.c_int, [_c_void_p]),
        "LLVMSetLinkage": (None, [_c_void_p, ctypes.c_int]),
        "LLVMSetVisibility": (None, [_c_void_p, ctypes.c_int]),
        "LLVMGetEnumAttributeKindForName": (ctypes.c_uint, [ctypes.c_char_p, ctypes.c_size_t]),
        "LLVMCountParams": (ctypes.c_uint, [_c_void_p]),
        "LLVMGetEnumAttributeAtIndex": (_c_void_p, [_c_void_p, ctypes.c_uint, ctypes.c_uint]),
        "LLVMRemoveEnumAttributeAtIndex": (None, [_c_void_p, ctypes.c_uint, ctypes.c_uint]),
        "LLVMGetFirstBasicBlock": (_c_void_p, [_c_void_p]),
        "LLVMGetNextBasicBlock": (_c_void_p, [_c_void_p]),
        "LLVMGetFirstInstruction": (_c_void_p, [_c_void_p]),
        "LLVMGetNextInstruction": (_c_void_p, [_c_void_p]),
        "LLVMIsACallInst": (_c_void_p, [_c_void_p]),
        "LLVMGetNumArgOperands": (ctypes.c_uint, [_c_void_p]),
        "LLVMGetCallSiteEnumAttribute": (_c_void_p, [_c_void_p, ctypes.c_uint, ctypes.c_uint]),
        "LLVMRemoveCallSiteEnumAttribute": (None, [_c_void_p, ctypes.c_uint, ctypes.c_uint]),
        "LLVMInitializeBPFTargetInfo": (None, []),
        "LLVMInitializeBPFTarget": (None, []),
        "LLVMInitializeBPFTargetMC": (None, []),
        "LLVMInitializeBPFAsmPrinter": (None, []),
        "LLVMGetTargetFromTriple": (
            ctypes.c_int,
            [ctypes.c_char_p, ctypes.POINTER(_c_void_p), ctypes.POINTER(_c_void_p)],
        ),
        "LLVMCreateTargetMachine": (
            _c_void_p,
            [
                _c_void_p,
                ctypes.c_char_p,
                ctypes.c_char_p,
                ctypes.c_char_p,
                ctypes.c_int,
                ctypes.c_int,
                ctypes.c_int,
            ],
        ),
        "LLVMDisposeTargetMachine": (None, [_c_void_p]),
        "LLVMTargetMachineEmitToMemoryBuffer": (
            ctypes.c_int,
            [
                _c_void_p,
                _c_void_p,
                ctypes.c_int,
                ctypes.POINTER(_c_void_p),
                ctypes.POINTER(_c_void_p),
            ],
        ),
        "LLVMParseCommandLineOptions": (
            None,
            [ctypes.c_int, ctypes.POINTER(ctypes.c_char_p), ctypes.c_char_p],
        ),
        "LLVMCreatePassBuilderOptions": (_c_void_p, []),
        "LLVMDisposePassBuilderOptions": (None, [_c_void_p]),
        "LLVMRunPasses": (_c_void_p, [_c_void_p, ctypes.c_char_p, _c_void_p, _c_void_p]),
        "LLVMGetErrorMessage": (_c_void_p, [_c_void_p]),
        "LLVMDisposeErrorMessage": (None, [_c_void_p]),
    }
    for name, (res, args) in sig.items():
        fn = getattr(lib, name)
        fn.restype = res
        fn.argtypes = args
    lib.LLVMInitializeBPFTargetInfo()
    lib.LLVMInitializeBPFTarget()
    lib.LLVMInitializeBPFTargetMC()
    lib.LLVMInitializeBPFAsmPrinter()
    return lib


@cache
def _set_options(stack_size: int) -> None:
    # LLVM parses global command-line options once per process.
    argv = [b"solinbox-ld", f"-bpf-stack-size={stack_size}".encode()]
    arr = (ctypes.c_char_p * len(argv))(*argv)
    _lib().LLVMParseCommandLineOptions(len(argv), arr, None)


def _take_message(ptr: int | None) -> str:
    if not ptr:
        return ""
    lib = _lib()
    text = ctypes.string_at(ptr).decode("utf-8", "replace")
    lib.LLVMDisposeMessage(ptr)
    return text


def _values(first: int | None, nxt: object) -> Iterable[int]:
    v = first
    while v:
        yield v
        v = nxt(v)  # type: ignore[operator]


def _internalize(module: int, exports: set[str]) -> None:
    """Give every defined symbol that is not exported internal linkage (like a linker would)."""
    lib = _lib()
    n = ctypes.c_size_t()
    for v in list(_values(lib.LLVMGetFirstFunction(module), lib.LLVMGetNextFunction)) + list(
        _values(lib.LLVMGetFirstGlobal(module), lib.LLVMGetNextGlobal)
    ):
        if lib.LLVMIsDeclaration(v):
            continue
        name = (lib.LLVMGetValueName2(v, ctypes.byref(n)) or b"").decode()
        if name in exports or name.startswith("llvm."):
            continue
        lib.LLVMSetLinkage(v, _LLVMInternalLinkage)
        lib.LLVMSetVisibility(v, _LLVMDefaultVisibility)


def _strip_sret(module: int) -> int:
    """Turn ``sret`` parameters into plain pointer parameters, in definitions and call sites.

    Rust returns values wider than 64 bits through a hidden ``sret`` pointer. LLVM's BPF
    backend rejects every function with an ``sret`` parameter ("aggregate returns are not
    supported"), although for BPF the pointer is an ordinary argument register either way.
    Dropping the attribute on both sides keeps caller and callee in agreement and changes no
    semantics. Returns the number of attributes removed.
    """
    lib = _lib()
    kind = lib.LLVMGetEnumAttributeKindForName(b"sret", 4)
    removed = 0
    for fn in _values(lib.LLVMGetFirstFunction(module), lib.LLVMGetNextFunction):
        for i in range(1, lib.LLVMCountParams(fn) + 1):
            if lib.LLVMGetEnumAttributeAtIndex(fn, i, kind):
                lib.LLVMRemoveEnumAttributeAtIndex(fn, i, kind)
                removed += 1
        for bb in _values(lib.LLVMGetFirstBasicBlock(fn), lib.LLVMGetNextBasicBlock):
            for insn in _values(lib.LLVMGetFirstInstruction(bb), lib.LLVMGetNextInstruction):
                if not lib.LLVMIsACallInst(insn):
                    continue
                for i in range(1, lib.LLVMGetNumArgOperands(insn) + 1):
                    if lib.LLVMGetCallSiteEnumAttribute(insn, i, kind):
                        lib.LLVMRemoveCallSiteEnumAttribute(insn, i, kind)
                        removed += 1
    return removed


def codegen(
    bitcode: Sequence[bytes],
    exports: Iterable[str],
    options: CodegenOptions | None = None,
) -> bytes:
    """Link bitcode modules and emit one BPF relocatable object (ELF bytes).

    Raises :class:`CodegenError` with every LLVM error message (other than the
    mem-builtin ones) if code generation fails.
    """
    opts = options or CodegenOptions()
    if not bitcode:
        raise CodegenError("no bitcode input")
    lib = _lib()
    _set_options(opts.stack_size)
    errors: list[str] = []

    def on_diagnostic(info: int, _ctx: int) -> None:
        if lib.LLVMGetDiagInfoSeverity(info) != _LLVMDSError:
            return
        text = _take_message(lib.LLVMGetDiagInfoDescription(info))
        if not _IGNORED.search(text):
            errors.append(_NOISE.sub("", text).strip())

    handler = _DiagHandler(on_diagnostic)  # kept alive until the context is disposed
    ctx = lib.LLVMContextCreate()
    lib.LLVMContextSetDiagnosticHandler(ctx, handler, None)
    module: int | None = None
    tm: int | None = None
    try:
        for i, blob in enumerate(bitcode):
            buf = lib.LLVMCreateMemoryBufferWithMemoryRangeCopy(blob, len(blob), f"in{i}".encode())
            mod = _c_void_p()
            failed = lib.LLVMParseBitcodeInContext2(ctx, buf, ctypes.byref(mod))
            lib.LLVMDisposeMemoryBuffer(buf)
            if failed or not mod.value:
                raise CodegenError(f"input {i} is not LLVM bitcode: " + "; ".join(errors))
            if module is None:
                module = mod.value
            elif lib.LLVMLinkModules2(module, mod.value):
                raise CodegenError("linking bitcode modules failed: " + "; ".join(errors))
        assert module is not None
        triple = b"bpfel"
        lib.LLVMSetTarget(module, triple)
        _internalize(module, set(exports))
        _strip_sret(module)
        target = _c_void_p()
        err = _c_void_p()
        if lib.LLVMGetTargetFromTriple(triple, ctypes.byref(target), ctypes.byref(err)):
            raise CodegenError("libLLVM has no BPF target: " + _take_message(err.value))
        tm = lib.LLVMCreateTargetMachine(
            target,
            triple,
            opts.cpu.encode(),
            opts.features.encode(),
            _LLVMCodeGenLevelAggressive,
            _LLVMRelocStatic,
            _LLVMCodeModelDefault,
        )
        pipeline = "default<O3>," if opts.optimize else ""
        pipeline += "function(lower-atomic),globaldce"
        pbo = lib.LLVMCreatePassBuilderOptions()
        perr = lib.LLVMRunPasses(module, pipeline.encode(), tm, pbo)
        lib.LLVMDisposePassBuilderOptions(pbo)
        if perr:
            msg = lib.LLVMGetErrorMessage(perr)
            text = ctypes.string_at(msg).decode()
            lib.LLVMDisposeErrorMessage(msg)
            raise CodegenError(f"LLVM pass pipeline failed: {text}")
        out = _c_void_p()
        failed = lib.LLVMTargetMachineEmitToMemoryBuffer(
            tm, module, _LLVMObjectFile, ctypes.byref(err), ctypes.byref(out)
        )
        if failed or errors:
            detail = errors + ([_take_message(err.value)] if failed else [])
            raise CodegenError("BPF code generation failed:\n  " + "\n  ".join(detail))
        obj = ctypes.string_at(lib.LLVMGetBufferStart(out.value), lib.LLVMGetBufferSize(out.value))
        lib.LLVMDisposeMemoryBuffer(out.value)
        return obj
    finally:
        if tm:
            lib.LLVMDisposeTargetMachine(tm)
        if module:
            lib.LLVMDisposeModule(module)
        lib.LLVMContextDispose(ctx)
