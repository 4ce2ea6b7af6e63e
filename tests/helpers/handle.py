#!/usr/bin/env python3
# tests/helpers/handle.py PATH [INODE]: open a file of a mount by an
# NFS-style handle (name_to_handle_at, open_by_handle_at). With INODE, the
# handle of PATH is rewritten to name that inode number instead (a FUSE
# handle holds the node id and generation). Prints the first bytes' sha256
# of what opened, or "errno NAME", and exits 0 either way; exits 2 if the
# kernel gives no handles for this mount.
import ctypes, ctypes.util, errno, hashlib, os, struct, sys

libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
MAX = 128


class FileHandle(ctypes.Structure):
    _fields_ = [("handle_bytes", ctypes.c_uint), ("handle_type", ctypes.c_int),
                ("f_handle", ctypes.c_ubyte * MAX)]


path = sys.argv[1]
fh = FileHandle(MAX, 0)
mount_id = ctypes.c_int()
AT_FDCWD = -100
if libc.name_to_handle_at(AT_FDCWD, path.encode(), ctypes.byref(fh), ctypes.byref(mount_id), 0) != 0:
    e = ctypes.get_errno()
    print(f"no handle: errno {errno.errorcode.get(e, e)}")
    sys.exit(2)
raw = bytes(fh.f_handle[:fh.handle_bytes])
if len(sys.argv) > 2:
    # struct fuse_inode_handle { u64 nodeid; u32 generation; } as three u32:
    # nodeid >> 32, nodeid & 0xffffffff, generation (fs/fuse/inode.c)
    gen = struct.unpack("<I", raw[8:12])[0] if len(raw) >= 12 else 0
    ino = int(sys.argv[2])
    raw = struct.pack("<III", ino >> 32, ino & 0xffffffff, gen) + raw[12:]
    ctypes.memmove(fh.f_handle, raw, len(raw))
mnt = os.open(os.path.dirname(path), os.O_RDONLY | os.O_DIRECTORY)
fd = libc.open_by_handle_at(mnt, ctypes.byref(fh), os.O_RDONLY)
if fd < 0:
    e = ctypes.get_errno()
    print(f"errno {errno.errorcode.get(e, e)}")
    sys.exit(0)
data = os.read(fd, 1 << 20)
print(hashlib.sha256(data).hexdigest())
