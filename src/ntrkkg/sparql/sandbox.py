"""Kernel-enforced confinement of a forked query engine.

An engine process calls :func:`confine` right after the fork, before its first job.  From then on the kernel, not
Python, enforces that it:

* opens no network socket (seccomp: ``socket()`` fails with EACCES for every family but AF_UNIX; Landlock ABI >= 4
  also denies TCP connect/bind), unless ``allow_network=True``;
* reads no file but those below ``store_dir`` and the Python installation's library directories, and writes none
  (Landlock);
* runs no program and creates no process (seccomp: ``execve``, ``fork`` and non-thread ``clone`` fail with EPERM);
* dumps no core and, when asked, maps at most ``memory_bytes`` of address space (``setrlimit``);
* holds no capability, even when running as root.

Everything is irreversible for the process and its future children.  :func:`probe` reports what this kernel can
enforce without confining the caller.
"""

from __future__ import annotations

import contextlib
import errno
import importlib
import json
import os
import platform
import resource
import select
import signal
import socket
from dataclasses import asdict, dataclass
from typing import Any

from ntrkkg.sparql.kernel import (
    _PR_SET_NO_NEW_PRIVS,
    _drop_capabilities,
    _landlock,
    _prctl,
    landlock_abi,
    python_dirs,
)

try:
    import pyseccomp as _seccomp
except (ImportError, OSError, RuntimeError):  # the package, or Debian's libseccomp.so.2, is missing
    _seccomp = None

__all__ = ["Confinement", "SandboxError", "confine", "landlock_abi", "preload", "probe", "python_dirs"]


class SandboxError(Exception):
    """A requested confinement mechanism could not be applied; the process may be partly confined."""


@dataclass(frozen=True)
class Confinement:
    """What the kernel enforces in a process (or could enforce, from :func:`probe`)."""

    seccomp: bool
    landlock_abi: int  # 0 when Landlock is unavailable or was not applied
    network_blocked: bool
    files_restricted: bool
    memory_bytes: int | None
    capabilities_dropped: bool = False

    def describe(self) -> str:
        """One line for the operator."""
        parts = [
            "seccomp on (no exec, no new process" + (", sockets AF_UNIX only)" if self.network_blocked else ")")
            if self.seccomp
            else "seccomp OFF",
            f"landlock ABI {self.landlock_abi}" if self.landlock_abi else "landlock OFF",
            "network blocked" if self.network_blocked else "network OPEN",
            "files read-only, store and Python libraries only" if self.files_restricted else "files OPEN",
            f"address space <= {self.memory_bytes / 2**20:.0f} MiB" if self.memory_bytes else "memory unlimited",
            "no capabilities" if self.capabilities_dropped else "capabilities kept",
            "no core dumps",
        ]
        return "sandbox: " + "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """Plain fields, for JSON (e.g. /health)."""
        return asdict(self)


# --- seccomp, through libseccomp -----------------------------------------------------------------------------

_CLONE_THREAD = 0x00010000


def _seccomp_filter(*, block_network: bool) -> Any:
    assert _seccomp is not None
    sc = _seccomp
    filt = sc.SyscallFilter(sc.ALLOW)
    # libseccomp kills on a foreign architecture (e.g. i386 syscalls on x86_64), so those cannot bypass the rules
    for name in ("execve", "execveat", "fork", "vfork", "ptrace", "process_vm_readv", "process_vm_writev"):
        filt.add_rule(sc.ERRNO(errno.EPERM), name)
    # threads are fine, new processes are not; clone3 hides its flags in memory, so glibc falls back to clone
    clone_flags = 1 if platform.machine().startswith("s390") else 0
    filt.add_rule(sc.ERRNO(errno.EPERM), "clone", sc.Arg(clone_flags, sc.MASKED_EQ, _CLONE_THREAD, 0))
    # io_uring operations bypass seccomp (they could open sockets), so io_uring itself is unavailable
    for name in ("clone3", "io_uring_setup", "io_uring_enter", "io_uring_register"):
        filt.add_rule(sc.ERRNO(errno.ENOSYS), name)
    if block_network:
        for name in ("socket", "socketpair"):
            filt.add_rule(sc.ERRNO(errno.EACCES), name, sc.Arg(0, sc.NE, socket.AF_UNIX))
    return filt


def _seccomp_usable() -> bool:
    """libseccomp builds our filter (nothing is loaded into the kernel)."""
    if _seccomp is None:
        return False
    try:
        _seccomp_filter(block_network=True)
    except OSError:
        return False
    return True


# What name resolution and TLS (an allow-listed SERVICE over https) read.  A rule follows a symlink to its target,
# and /etc/ssl/certs links into /usr/share/ca-certificates.
_NETWORK_FILES = (
    "/etc/hosts",
    "/etc/host.conf",
    "/etc/resolv.conf",
    "/etc/nsswitch.conf",
    "/etc/gai.conf",
    "/etc/ssl",
    "/etc/pki",
    "/etc/ca-certificates",
    "/usr/share/ca-certificates",
    "/usr/local/share/ca-certificates",
)


def _network_files() -> list[str]:
    paths = [*_NETWORK_FILES, os.environ.get("SSL_CERT_FILE", ""), os.environ.get("SSL_CERT_DIR", "")]
    return [path for path in paths if path and os.path.exists(path)]


# --- the public entry points ---------------------------------------------------------------------------------


def _thread_count() -> int:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 1


def _address_space() -> int:
    """Bytes of address space mapped now (VmSize), 0 if unknown."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _set_limit(which: int, value: int) -> None:
    resource.setrlimit(which, (value, value))


def confine(
    *,
    allow_network: bool = False,
    store_dir: str | None = None,
    memory_bytes: int | None = None,
    open_files: int | None = None,
    read_python: bool = True,
    require: bool = True,
) -> Confinement:
    """Confine the calling process for good; call it in a freshly forked, single-threaded engine.

    ``store_dir`` becomes readable (never writable); with ``read_python`` the Python library directories
    (:func:`python_dirs`) do too, so that lazy imports keep working (else call :func:`preload` first).
    ``allow_network`` leaves sockets alone and lets the engine read what DNS and TLS need.
    ``memory_bytes`` caps the address space (RLIMIT_AS), ``open_files`` the file descriptors (RLIMIT_NOFILE).
    With ``require`` (the default) a mechanism this kernel lacks raises :class:`SandboxError`; without it, it is
    skipped and the returned :class:`Confinement` tells what holds.  After an error the process may be partly
    confined and should exit.
    """
    if _thread_count() > 1:
        # Landlock binds only the calling thread (and the threads it starts later)
        raise SandboxError("confine() must run before the process starts any thread")
    if store_dir is not None and not os.path.isdir(store_dir):
        raise SandboxError(f"store_dir {store_dir!r} is not a directory")
    if memory_bytes is not None and memory_bytes <= _address_space():
        raise SandboxError(f"memory_bytes={memory_bytes} is below the address space already mapped")
    try:
        _set_limit(resource.RLIMIT_CORE, 0)
        if memory_bytes is not None:
            _set_limit(resource.RLIMIT_AS, memory_bytes)
        if open_files is not None:
            _set_limit(resource.RLIMIT_NOFILE, open_files)
    except (OSError, ValueError) as exc:
        raise SandboxError(f"setrlimit failed: {exc}") from exc

    def unavailable(what: str, exc: BaseException | None = None) -> None:
        if require:
            raise SandboxError(what + (f": {exc}" if exc else "")) from exc

    try:
        _prctl(_PR_SET_NO_NEW_PRIVS, 1)  # required by seccomp and Landlock without CAP_SYS_ADMIN
    except OSError as exc:
        raise SandboxError(f"prctl(PR_SET_NO_NEW_PRIVS) failed: {exc}") from exc

    readable = [os.path.realpath(store_dir)] if store_dir else []
    if read_python:
        readable += python_dirs()
    if allow_network:
        readable += _network_files()

    # Capabilities go first: as root, CAP_SYS_RESOURCE could raise the limits again, CAP_SYS_ADMIN undo much else.
    dropped = False
    try:
        _drop_capabilities()
        dropped = True
    except OSError as exc:
        unavailable("dropping capabilities failed", exc)

    abi = landlock_abi()
    if abi:
        try:
            _landlock(abi, readable=readable, block_tcp=not allow_network)
        except OSError as exc:
            unavailable("Landlock failed", exc)
            abi = 0
    else:
        unavailable("Landlock is unavailable in this kernel")

    seccomp = False
    if _seccomp is None:
        unavailable("seccomp is unavailable (pyseccomp or libseccomp.so.2 missing)")
    else:
        try:
            _seccomp_filter(block_network=not allow_network).load()
            seccomp = True
        except OSError as exc:
            unavailable("seccomp failed", exc)

    return Confinement(
        seccomp=seccomp,
        landlock_abi=abi,
        network_blocked=seccomp and not allow_network,
        files_restricted=abi > 0,
        memory_bytes=memory_bytes,
        capabilities_dropped=dropped,
    )


def _static_probe() -> Confinement:
    usable = _seccomp_usable()
    abi = landlock_abi()
    return Confinement(
        seccomp=usable, landlock_abi=abi, network_blocked=usable, files_restricted=abi > 0, memory_bytes=None
    )


def probe(timeout: float = 2.0) -> Confinement:
    """What :func:`confine` can enforce here, found by confining a short-lived forked child; the caller stays free.

    When the child cannot be forked or does not answer, side-effect-free checks answer instead.
    """
    read_fd, write_fd = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_fd)
        os.close(write_fd)
        return _static_probe()
    if pid == 0:  # the child: confine, report, and leave without running any of the parent's cleanup
        code = 1
        try:
            os.close(read_fd)
            result = confine(require=False, read_python=False)
            os.write(write_fd, json.dumps(asdict(result)).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write_fd)
    data = b""
    try:
        ready, _, _ = select.select([read_fd], [], [], timeout)
        if ready:
            data = os.read(read_fd, 4096)
    finally:
        os.close(read_fd)
        if not data:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):  # already reaped where SIGCHLD is ignored
            os.waitpid(pid, 0)
    try:
        return Confinement(**json.loads(data))
    except (ValueError, TypeError):
        return _static_probe()


# Modules an engine may import lazily while answering (pickling results, formatting errors, codecs).  Extension
# modules linked to a system library (hashlib's libcrypto, for one) must be imported before confining, whatever
# ``read_python`` says: the system library directories stay unreadable.
_PRELOAD = (
    "encodings.idna",
    "encodings.latin_1",
    "encodings.ascii",
    "encodings.utf_8_sig",
    "encodings.utf_16",
    "multiprocessing.connection",
    "multiprocessing.reduction",
    "pickle",
    "traceback",
    "linecache",
    "tokenize",
    "json",
    "textwrap",
    "hashlib",
    "pyoxigraph",
)


def preload(extra: tuple[str, ...] = ()) -> None:
    """Import, before confining, the modules an engine may otherwise import lazily (plus ``extra``).

    Needed with ``confine(read_python=False)``; cheap insurance otherwise.
    """
    for name in _PRELOAD + extra:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
