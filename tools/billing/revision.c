/* revision.c - which revision a month's newly generated file becomes: the
 * archived revisions are looked up by name (policy.c), the new bytes hashed
 * (SHA-256, as the blob store names them) and compared with the latest. */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "policy.h"
#include "revision.h"

int revision_latest(struct catalog *cat, const char *folder, const char *stem,
		    const char *ext, int *rev, struct node *n, char *err,
		    size_t errlen)
{
	char name[FM_NAME_MAX + 1], path[4096];

	*rev = 0;
	for (int r = 1; r <= POLICY_MAX_REV; r++) {
		struct node probe;
		int rc;

		policy_revision_name(stem, ext, r, name, sizeof(name));
		snprintf(path, sizeof(path), "%s/%s", folder, name);
		rc = node_resolve(cat, path, &probe);
		if (rc == -ENOENT)
			return 0;
		if (rc < 0) {
			snprintf(err, errlen, "%s: %s", path + 1, strerror(-rc));
			return rc;
		}
		if (probe.type != NODE_FILE) {
			snprintf(err, errlen, "%s: a folder has that name", path + 1);
			return -EISDIR;
		}
		*rev = r;
		*n = probe;
	}
	return 0;
}

/* The SHA-256 of the file at path, in hex. */
static int file_sha256(const char *path, char hex[FM_SHA256_HEX + 1])
{
	unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;
	ssize_t n;

	if (fd < 0 || !ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		rc = fd < 0 ? -errno : -ENOMEM;
	while (rc == 0 && (n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0)
			rc = -errno;
		else if (!EVP_DigestUpdate(ctx, buf, (size_t)n))
			rc = -EIO;
	}
	if (rc == 0 && !EVP_DigestFinal_ex(ctx, md, &mdlen))
		rc = -EIO;
	for (unsigned int i = 0; rc == 0 && i < mdlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	EVP_MD_CTX_free(ctx);
	if (fd >= 0)
		close(fd);
	return rc;
}

int revision_next(struct catalog *cat, const char *folder, const char *stem,
		  const char *ext, const char *path, int *rev, bool *same,
		  char *err, size_t errlen)
{
	char sha[FM_SHA256_HEX + 1];
	struct node n;
	int latest, rc = revision_latest(cat, folder, stem, ext, &latest, &n, err, errlen);

	if (rc < 0)
		return rc;
	*same = false;
	*rev = latest + 1;
	if (latest == 0)
		return 0;
	rc = file_sha256(path, sha);
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	if (!strcmp(sha, n.sha256)) {
		*same = true;
		*rev = latest;
	} else if (latest == POLICY_MAX_REV) {
		snprintf(err, errlen, "%s/%s: more than %d revisions", folder + 1, stem,
			 POLICY_MAX_REV);
		return -EMLINK;
	}
	return 0;
}
