/* deny.c - every write-side operation, answered EPERM in one place. The
 * archive is append-only through fmctl; nothing arrives through the mount. */
#include <errno.h>

#include "fmfs.h"

static void deny_write(fuse_req_t req, fuse_ino_t ino, const char *buf,
		       size_t size, off_t off, struct fuse_file_info *fi)
{
	(void)ino, (void)buf, (void)size, (void)off, (void)fi;
	fuse_reply_err(req, EPERM);
}

static void deny_write_buf(fuse_req_t req, fuse_ino_t ino, struct fuse_bufvec *bufv,
			   off_t off, struct fuse_file_info *fi)
{
	(void)ino, (void)bufv, (void)off, (void)fi;
	fuse_reply_err(req, EPERM);
}

static void deny_create(fuse_req_t req, fuse_ino_t parent, const char *name,
			mode_t mode, struct fuse_file_info *fi)
{
	(void)parent, (void)name, (void)mode, (void)fi;
	fuse_reply_err(req, EPERM);
}

static void deny_mknod(fuse_req_t req, fuse_ino_t parent, const char *name,
		       mode_t mode, dev_t rdev)
{
	(void)parent, (void)name, (void)mode, (void)rdev;
	fuse_reply_err(req, EPERM);
}

static void deny_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name,
		       mode_t mode)
{
	(void)parent, (void)name, (void)mode;
	fuse_reply_err(req, EPERM);
}

static void deny_name(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	(void)parent, (void)name;
	fuse_reply_err(req, EPERM);
}

static void deny_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
			fuse_ino_t newparent, const char *newname, unsigned int flags)
{
	(void)parent, (void)name, (void)newparent, (void)newname, (void)flags;
	fuse_reply_err(req, EPERM);
}

static void deny_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent,
		      const char *newname)
{
	(void)ino, (void)newparent, (void)newname;
	fuse_reply_err(req, EPERM);
}

static void deny_symlink(fuse_req_t req, const char *link, fuse_ino_t parent,
			 const char *name)
{
	(void)link, (void)parent, (void)name;
	fuse_reply_err(req, EPERM);
}

static void deny_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr,
			 int to_set, struct fuse_file_info *fi)
{
	(void)ino, (void)attr, (void)to_set, (void)fi;
	fuse_reply_err(req, EPERM);
}

static void deny_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
			  const char *value, size_t size, int flags)
{
	(void)ino, (void)name, (void)value, (void)size, (void)flags;
	fuse_reply_err(req, EPERM);
}

static void deny_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	(void)ino, (void)name;
	fuse_reply_err(req, EPERM);
}

static void deny_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset,
			   off_t length, struct fuse_file_info *fi)
{
	(void)ino, (void)mode, (void)offset, (void)length, (void)fi;
	fuse_reply_err(req, EPERM);
}

static void deny_copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in,
				 struct fuse_file_info *fi_in, fuse_ino_t ino_out,
				 off_t off_out, struct fuse_file_info *fi_out,
				 size_t len, int flags)
{
	(void)ino_in, (void)off_in, (void)fi_in, (void)ino_out, (void)off_out;
	(void)fi_out, (void)len, (void)flags;
	fuse_reply_err(req, EPERM);
}

void fmfs_deny_init(struct fuse_lowlevel_ops *ops)
{
	ops->write = deny_write;
	ops->write_buf = deny_write_buf;
	ops->create = deny_create;
	ops->mknod = deny_mknod;
	ops->mkdir = deny_mkdir;
	ops->unlink = deny_name;
	ops->rmdir = deny_name;
	ops->rename = deny_rename;
	ops->link = deny_link;
	ops->symlink = deny_symlink;
	ops->setattr = deny_setattr;
	ops->setxattr = deny_setxattr;
	ops->removexattr = deny_removexattr;
	ops->fallocate = deny_fallocate;
	ops->copy_file_range = deny_copy_file_range;
}
