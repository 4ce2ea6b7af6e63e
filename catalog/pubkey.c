/* pubkey.c - the publisher's Ed25519 key pair (OpenSSL EVP, PEM files): made
 * by fmctl keygen, the private half used by fmctl publish, the public half
 * handed to partners (fmfs -o pubkey=, fmctl clone/verify --pubkey). */
#include <errno.h>
#include <fcntl.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "publication.h"

void pubkey_pub_path(const char *key_path, char *out, size_t outlen)
{
	size_t len = strlen(key_path);

	if (len > 4 && !strcmp(key_path + len - 4, ".key"))
		snprintf(out, outlen, "%.*s.pub", (int)(len - 4), key_path);
	else
		snprintf(out, outlen, "%s.pub", key_path);
}

/* Write a PEM file with mode, O_EXCL: nothing is overwritten. */
static int write_pem(const char *path, mode_t mode, EVP_PKEY *key, bool private,
		     char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	FILE *f;
	int ok;

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(path);
		snprintf(err, errlen, "%s: %s", path, strerror(ENOMEM));
		return -ENOMEM;
	}
	ok = private ? PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL)
		     : PEM_write_PUBKEY(f, key);
	ok = ok && fflush(f) == 0 && fsync(fileno(f)) == 0;
	if (fclose(f) != 0)
		ok = 0;
	if (!ok) {
		unlink(path);
		snprintf(err, errlen, "%s: cannot write the key", path);
		return -EIO;
	}
	return 0;
}

int pubkey_generate(const char *key_path, char *err, size_t errlen)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
	EVP_PKEY *key = NULL;
	char pub[4096];
	struct stat st;
	int rc;

	pubkey_pub_path(key_path, pub, sizeof(pub));
	if (stat(pub, &st) == 0) {
		EVP_PKEY_CTX_free(ctx);
		snprintf(err, errlen, "%s: already exists", pub);
		return -EEXIST;
	}
	if (!ctx || EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_keygen(ctx, &key) <= 0) {
		EVP_PKEY_CTX_free(ctx);
		snprintf(err, errlen, "cannot make an Ed25519 key");
		return -EIO;
	}
	EVP_PKEY_CTX_free(ctx);
	rc = write_pem(key_path, 0600, key, true, err, errlen);
	if (rc == 0) {
		rc = write_pem(pub, 0644, key, false, err, errlen);
		if (rc < 0)
			unlink(key_path);
	}
	EVP_PKEY_free(key);
	return rc;
}

static int load(const char *path, bool private, EVP_PKEY **out, char *err,
		size_t errlen)
{
	EVP_PKEY *key;
	struct stat st;
	FILE *f = fopen(path, "re");

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	if (private && (fstat(fileno(f), &st) < 0 || (st.st_mode & 077))) {
		fclose(f);
		snprintf(err, errlen, "%s: a private key readable by others "
			 "(chmod 600 it)", path);
		return -EPERM;
	}
	key = private ? PEM_read_PrivateKey(f, NULL, NULL, NULL)
		      : PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	if (!key || EVP_PKEY_id(key) != EVP_PKEY_ED25519) {
		EVP_PKEY_free(key);
		snprintf(err, errlen, "%s: not an Ed25519 %s key in PEM form", path,
			 private ? "private" : "public");
		return -EINVAL;
	}
	*out = key;
	return 0;
}

int pubkey_load_private(const char *path, EVP_PKEY **out, char *err, size_t errlen)
{
	return load(path, true, out, err, errlen);
}

int pubkey_load_public(const char *path, EVP_PKEY **out, char *err, size_t errlen)
{
	return load(path, false, out, err, errlen);
}
