/* test_json.c - fmctl's JSON writer: commas and nesting, the string escapes
 * RFC 8259 requires, invalid UTF-8 as U+FFFD, exact 64-bit integers. */
#include <stdint.h>
#include <string.h>

#include "../../tools/fmctl/json.h"
#include "check.h"

static const char want[] =
	"{\"command\":\"t\",\"schema\":1,"
	"\"s\":\"a\\\"b\\\\c\\n\\t\\u0001\\u001f\x7f é €𝄞\","
	"\"bad\":\"x\\ufffd\\ufffdy\\ufffd\\ufffd\","
	"\"surrogate\":\"\\ufffd\\ufffd\\ufffd\","
	"\"null\":null,"
	"\"u\":18446744073709551615,\"i\":-9223372036854775808,"
	"\"t\":\"2026-11-01T00:00:00Z\","
	"\"a\":[1,{\"b\":false},[],[null]]}\n";

int main(void)
{
	char out[1024] = "";
	struct json j;
	FILE *f;

	CHECK(json_open(&j, "t") == 0);
	json_kv_string(&j, "s", "a\"b\\c\n\t\x01\x1f\x7f é €𝄞");
	json_kv_string(&j, "bad", "x\xff\xc3y\xe2\x82");
	json_kv_string(&j, "surrogate", "\xed\xa0\x80");
	json_kv_string(&j, "null", NULL);
	json_kv_uint(&j, "u", UINT64_MAX);
	json_kv_int(&j, "i", INT64_MIN);
	json_kv_time(&j, "t", 1793491200);
	json_key(&j, "a");
	json_array_begin(&j);
	json_int(&j, 1);
	json_object_begin(&j);
	json_kv_bool(&j, "b", false);
	json_object_end(&j);
	json_array_begin(&j);
	json_array_end(&j);
	json_array_begin(&j); /* left open: json_close closes it */
	json_null(&j);
	f = fmemopen(out, sizeof(out), "w");
	CHECK(f != NULL);
	CHECK(json_close(&j, f) == 0);
	fclose(f);
	CHECK(!strcmp(out, want));
	if (strcmp(out, want))
		fprintf(stderr, "got: %s", out);

	CHECK(json_open(&j, "d") == 0);
	json_kv_int(&j, "x", 1);
	json_discard(&j);
	return check_done("test_json");
}
