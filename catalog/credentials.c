/* credentials.c - the credentials files of the remote share: checked to be
 * regular files that group and others cannot read, and AWS's shared
 * credentials format parsed. No byte of a credentials file ever goes into a
 * message. (A netrc is read by libcurl itself.) */
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "remote_internal.h"

int credentials_check(const char *path, char *why, size_t whylen)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		int rc = -errno;

		snprintf(why, whylen, "credentials: %s: %s", path, strerror(-rc));
		return rc;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "credentials: %s: not a regular file", path);
		return -EINVAL;
	}
	if (st.st_mode & 077) {
		snprintf(why, whylen,
			 "credentials: %s: mode %04o, group or others may read it (chmod 600)",
			 path, (unsigned)(st.st_mode & 07777));
		return -EACCES;
	}
	if (access(path, R_OK) < 0) {
		int rc = -errno;

		snprintf(why, whylen, "credentials: %s: %s", path, strerror(-rc));
		return rc;
	}
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		*--e = 0;
	return s;
}

int credentials_read_aws(const char *path, char **key, char **secret, char *why, size_t whylen)
{
	char line[1024], *k = NULL, *s = NULL;
	unsigned lineno = 0;
	int in_default = 0, rc = 0;
	FILE *f;

	rc = credentials_check(path, why, whylen);
	if (rc < 0)
		return rc;
	f = fopen(path, "re");
	if (!f) {
		rc = -errno;
		snprintf(why, whylen, "credentials: %s: %s", path, strerror(-rc));
		return rc;
	}
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		char *p = trim(line), *eq, *name, *val;

		lineno++;
		if (!*p || *p == '#' || *p == ';')
			continue;
		if (*p == '[') {
			in_default = strcmp(p, "[default]") == 0;
			continue;
		}
		eq = strchr(p, '=');
		if (!eq) {
			/* the line number only: the line may hold a secret */
			snprintf(why, whylen, "credentials: %s:%u: not 'name = value'", path,
				 lineno);
			rc = -EINVAL;
			break;
		}
		*eq = 0;
		name = trim(p);
		val = trim(eq + 1);
		if (!in_default)
			continue;
		if (strcmp(name, "aws_access_key_id") == 0 ||
		    strcmp(name, "aws_secret_access_key") == 0) {
			char **slot = strcmp(name, "aws_access_key_id") == 0 ? &k : &s;

			if (*slot)
				OPENSSL_clear_free(*slot, strlen(*slot));
			*slot = strdup(val);
			if (!*slot)
				rc = -ENOMEM;
		}
	}
	OPENSSL_cleanse(line, sizeof(line));
	fclose(f);
	if (rc == 0 && (!k || !s || !*k || !*s)) {
		snprintf(
			why, whylen,
			"credentials: %s: no aws_access_key_id and aws_secret_access_key under [default]",
			path);
		rc = -EINVAL;
	}
	if (rc < 0) {
		if (k)
			OPENSSL_clear_free(k, strlen(k));
		if (s)
			OPENSSL_clear_free(s, strlen(s));
		return rc;
	}
	*key = k;
	*secret = s;
	return 0;
}
