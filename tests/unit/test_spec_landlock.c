/* Unit tests of spec/parse_landlock.c: process.landlock and the
 * io.github.leeward.landlock annotation parsed into masks, rules and
 * ports; every error with its field path; the process object alone (exec
 * --process); no leak on any error path. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/spec.h"
#include "tests/unit/unit.h"
#include "tests/unit/spec_cases.h"

/* ---- process.landlock and its annotation ------------------------------------------ */

#define LL(obj) PROC(",'landlock':" obj)
#define LL_ANN "io.github.leeward.landlock"
/* the annotation's value: JSON in a JSON string, ' for \" inside it */
#define LL_ANN_AT "annotations['" LL_ANN "']" /* in messages */
#define LL_BAD_JSON "annotations[\"" LL_ANN "\"]: invalid JSON"
#define LL_ANNOT(obj) CFG(",'annotations':{'" LL_ANN "':'" obj "'}")
#define FS_BIT(n) (UINT64_C(1) << (n))

#define LL_FULL                                                                                    \
	"{'ruleset':{'handledAccessFS':['execute','read_file','read_dir','refer','truncate',"      \
	"    'ioctl_dev'],'handledAccessNet':['bind_tcp','connect_tcp'],"                          \
	"    'scoped':['abstract_unix_socket','signal']},"                                         \
	" 'rules':{'pathBeneath':["                                                                \
	"    {'allowedAccess':['execute','read_file'],'paths':['/usr','/bin']},"                   \
	"    {'allowedAccess':['refer','ioctl_dev'],'paths':['/tmp']}],"                           \
	"  'netPort':[{'allowedAccess':['connect_tcp'],'ports':[443,80]},"                         \
	"    {'allowedAccess':['bind_tcp','connect_tcp'],'ports':[0,65535]}]},"                    \
	" 'disableBestEffort':true}"

static void test_landlock_parse(void)
{
	struct spec *s = PARSE_OK(LL(LL_FULL));
	if (s) {
		struct spec_landlock *l = s->process->landlock;
		CHECK(l != NULL, "process.landlock parsed");
		if (l) {
			CHECK(l->handled_fs == (FS_BIT(0) | FS_BIT(2) | FS_BIT(3) | FS_BIT(13) |
						FS_BIT(14) | FS_BIT(15)),
			      "handled_fs %#llx", (unsigned long long)l->handled_fs);
			CHECK(l->handled_net == 3, "handled_net %#llx",
			      (unsigned long long)l->handled_net);
			CHECK(l->scoped == 3, "scoped %#llx", (unsigned long long)l->scoped);
			CHECK(l->n_path_beneath == 2 &&
				      l->path_beneath[0].access == (FS_BIT(0) | FS_BIT(2)) &&
				      l->path_beneath[1].access == (FS_BIT(13) | FS_BIT(15)),
			      "pathBeneath access");
			CHECK(l->path_beneath[0].n_paths == 2 &&
				      !strcmp(l->path_beneath[0].paths[0], "/usr") &&
				      !strcmp(l->path_beneath[0].paths[1], "/bin") &&
				      !l->path_beneath[0].paths[2] &&
				      l->path_beneath[1].n_paths == 1 &&
				      !strcmp(l->path_beneath[1].paths[0], "/tmp"),
			      "pathBeneath paths");
			CHECK(l->n_net_port == 2 && l->net_port[0].access == FS_BIT(1) &&
				      l->net_port[0].n_ports == 2 &&
				      l->net_port[0].ports[0] == 443 &&
				      l->net_port[0].ports[1] == 80 && l->net_port[1].access == 3 &&
				      l->net_port[1].ports[0] == 0 &&
				      l->net_port[1].ports[1] == 65535,
			      "netPort");
			CHECK(l->disable_best_effort, "disableBestEffort");
		}
		CHECK(!s->landlock_annotation, "no annotation");
		spec_free(s);
	}

	/* every name is its kernel bit; ruleset only, defaults */
	for (int k = 0; spec_landlock_fs_name(k); k++) {
		char j[256];
		snprintf(j, sizeof(j), LL("{'ruleset':{'handledAccessFS':['%s']}}"),
			 spec_landlock_fs_name(k));
		s = PARSE_OK(j);
		CHECK(s && s->process->landlock->handled_fs == FS_BIT(k) &&
			      !s->process->landlock->handled_net && !s->process->landlock->scoped,
		      "fs right %s = bit %d", spec_landlock_fs_name(k), k);
		spec_free(s);
	}
	CHECK(!strcmp(spec_landlock_fs_name(0), "execute") &&
		      !strcmp(spec_landlock_fs_name(2), "read_file") &&
		      !strcmp(spec_landlock_fs_name(13), "refer") &&
		      !strcmp(spec_landlock_fs_name(14), "truncate") &&
		      !strcmp(spec_landlock_fs_name(15), "ioctl_dev") &&
		      !spec_landlock_fs_name(16) && !spec_landlock_fs_name(-1),
	      "fs names");
	CHECK(!strcmp(spec_landlock_net_name(0), "bind_tcp") &&
		      !strcmp(spec_landlock_net_name(1), "connect_tcp") &&
		      !spec_landlock_net_name(2),
	      "net names");
	CHECK(!strcmp(spec_landlock_scope_name(0), "abstract_unix_socket") &&
		      !strcmp(spec_landlock_scope_name(1), "signal") &&
		      !spec_landlock_scope_name(2),
	      "scope names");

	s = PARSE_OK(LL("{'ruleset':{'handledAccessNet':['connect_tcp'],'scoped':['signal']}}"));
	if (s) {
		struct spec_landlock *l = s->process->landlock;
		CHECK(l->handled_fs == 0 && l->handled_net == FS_BIT(1) && l->scoped == FS_BIT(1),
		      "net and scope bits");
		CHECK(!l->path_beneath && !l->n_path_beneath && !l->net_port && !l->n_net_port,
		      "no rules");
		CHECK(!l->disable_best_effort, "disableBestEffort defaults to false");
		spec_free(s);
	}
	s = PARSE_OK(LL("{'ruleset':{'scoped':['abstract_unix_socket']},'rules':{},"
			"'disableBestEffort':false}"));
	CHECK(s && s->process->landlock->scoped == FS_BIT(0) &&
		      !s->process->landlock->n_path_beneath &&
		      !s->process->landlock->disable_best_effort,
	      "empty rules");
	spec_free(s);
	/* null is absent */
	s = PARSE_OK(LL("null"));
	CHECK(s && !s->process->landlock, "landlock null");
	spec_free(s);
	s = PARSE_OK(PROC(""));
	CHECK(s && !s->process->landlock && !s->landlock_annotation, "no landlock");
	spec_free(s);

	/* the annotation: the same object as a JSON string */
	s = PARSE_OK(LL_ANNOT(
		"{\\'ruleset\\':{\\'handledAccessFS\\':[\\'read_file\\',\\'write_file\\']},"
		"\\'rules\\':{\\'pathBeneath\\':[{\\'allowedAccess\\':[\\'read_file\\'],"
		"\\'paths\\':[\\'/etc\\']}]},\\'disableBestEffort\\':true}"));
	if (s) {
		struct spec_landlock *l = s->landlock_annotation;
		CHECK(l && l->handled_fs == (FS_BIT(1) | FS_BIT(2)) && l->n_path_beneath == 1 &&
			      l->path_beneath[0].access == FS_BIT(2) &&
			      !strcmp(l->path_beneath[0].paths[0], "/etc") &&
			      l->disable_best_effort,
		      "annotation parsed");
		CHECK(!s->process && spec_annotation(s, LL_ANN), "annotation kept as a string too");
		spec_free(s);
	}
	/* both at once */
	s = PARSE_OK(CFG(",'process':{'cwd':'/','user':{'uid':0,'gid':0},"
			 "'landlock':{'ruleset':{'scoped':['signal']}}},"
			 "'annotations':{'" LL_ANN "':"
			 "'{\\'ruleset\\':{\\'handledAccessNet\\':[\\'bind_tcp\\']}}'}"));
	CHECK(s && s->process->landlock && s->process->landlock->scoped == FS_BIT(1) &&
		      s->landlock_annotation && s->landlock_annotation->handled_net == FS_BIT(0) &&
		      !s->landlock_annotation->scoped,
	      "process.landlock and the annotation");
	spec_free(s);
}

static void test_landlock_errors(void)
{
	/* unknown names: the path has the array index */
	PARSE_ERR(LL("{'ruleset':{'handledAccessFS':['execute','exec']}}"),
		  "process.landlock.ruleset.handledAccessFS[1]: unknown filesystem access right "
		  "'exec'");
	PARSE_ERR(LL("{'ruleset':{'handledAccessNet':['connect_udp']}}"),
		  "process.landlock.ruleset.handledAccessNet[0]: unknown network access right "
		  "'connect_udp'");
	PARSE_ERR(LL("{'ruleset':{'scoped':['signal','SIGNAL']}}"),
		  "process.landlock.ruleset.scoped[1]: unknown scope 'SIGNAL'");
	PARSE_ERR(
		LL("{'ruleset':{'handledAccessFS':['read_file']},'rules':{'pathBeneath':["
		   "{'allowedAccess':['read_file'],'paths':['/a']},"
		   "{'allowedAccess':['read_file','read_files'],'paths':['/b']}]}}"),
		"process.landlock.rules.pathBeneath[1].allowedAccess[1]: unknown filesystem access "
		"right 'read_files'");
	PARSE_ERR(
		LL("{'ruleset':{'handledAccessNet':['bind_tcp']},'rules':{'netPort':["
		   "{'allowedAccess':['bind_udp'],'ports':[1]}]}}"),
		"process.landlock.rules.netPort[0].allowedAccess[0]: unknown network access right "
		"'bind_udp'");

	/* allowed but not handled */
	PARSE_ERR(
		LL("{'ruleset':{'handledAccessFS':['read_file','execute']},'rules':{'pathBeneath':["
		   "{'allowedAccess':['read_file'],'paths':['/a']},"
		   "{'allowedAccess':['execute','write_file'],'paths':['/b']}]}}"),
		"process.landlock.rules.pathBeneath[1].allowedAccess: 'write_file' is not handled "
		"by ruleset.handledAccessFS");
	PARSE_ERR(
		LL("{'ruleset':{'handledAccessFS':['read_file']},'rules':{'netPort':["
		   "{'allowedAccess':['connect_tcp'],'ports':[443]}]}}"),
		"process.landlock.rules.netPort[0].allowedAccess: 'connect_tcp' is not handled by "
		"ruleset.handledAccessNet");

	/* empty rules */
	PARSE_ERR(LL("{'ruleset':{'handledAccessFS':['read_file']},'rules':{'pathBeneath':["
		     "{'allowedAccess':[],'paths':['/a']}]}}"),
		  "process.landlock.rules.pathBeneath[0].allowedAccess: no access right is allowed "
		  "(a rule must allow at least one)");
	PARSE_ERR(LL("{'ruleset':{'handledAccessFS':['read_file']},'rules':{'pathBeneath':["
		     "{'paths':['/a']}]}}"),
		  "process.landlock.rules.pathBeneath[0].allowedAccess: no access right is allowed "
		  "(a rule must allow at least one)");
	PARSE_ERR(LL("{'ruleset':{'handledAccessNet':['bind_tcp']},'rules':{'netPort':["
		     "{'allowedAccess':[],'ports':[80]}]}}"),
		  "process.landlock.rules.netPort[0].allowedAccess: no access right is allowed (a "
		  "rule must allow at least one)");
	PARSE_ERR(LL("{'ruleset':{'handledAccessFS':['read_file']},'rules':{'pathBeneath':["
		     "{'allowedAccess':['read_file'],'paths':[]}]}}"),
		  "process.landlock.rules.pathBeneath[0].paths: no path given");
	PARSE_ERR(LL("{'ruleset':{'handledAccessFS':['read_file']},'rules':{'pathBeneath':["
		     "{'allowedAccess':['read_file']}]}}"),
		  "process.landlock.rules.pathBeneath[0].paths: no path given");
	PARSE_ERR(LL("{'ruleset':{'handledAccessNet':['bind_tcp']},'rules':{'netPort':["
		     "{'allowedAccess':['bind_tcp']}]}}"),
		  "process.landlock.rules.netPort[0].ports: missing required field");
	PARSE_ERR(LL("{'ruleset':{'handledAccessNet':['bind_tcp']},'rules':{'netPort':["
		     "{'allowedAccess':['bind_tcp'],'ports':[]}]}}"),
		  "process.landlock.rules.netPort[0].ports: no port given");

	/* paths and ports */
	PARSE_ERR(LL("{'ruleset':{'handledAccessFS':['read_file']},'rules':{'pathBeneath':["
		     "{'allowedAccess':['read_file'],'paths':['/usr','lib']}]}}"),
		  "process.landlock.rules.pathBeneath[0].paths[1]: path 'lib' is not absolute");
	PARSE_ERR(LL("{'ruleset':{'handledAccessNet':['bind_tcp']},'rules':{'netPort':["
		     "{'allowedAccess':['bind_tcp'],'ports':[80]},"
		     "{'allowedAccess':['bind_tcp'],'ports':[443,65536]}]}}"),
		  "process.landlock.rules.netPort[1].ports[1]: 65536 is out of range [0, 65535]");
	PARSE_ERR(LL("{'ruleset':{'handledAccessNet':['bind_tcp']},'rules':{'netPort':["
		     "{'allowedAccess':['bind_tcp'],'ports':[-1]}]}}"),
		  "process.landlock.rules.netPort[0].ports[0]: -1 is out of range [0, 65535]");
	PARSE_ERR(LL("{'ruleset':{'handledAccessNet':['bind_tcp']},'rules':{'netPort':["
		     "{'allowedAccess':['bind_tcp'],'ports':['80']}]}}"),
		  "process.landlock.rules.netPort[0].ports[0]: expected an integer, got string");

	/* a ruleset that restricts nothing */
	PARSE_ERR(LL("{}"), "process.landlock.ruleset: restricts nothing: handledAccessFS, "
			    "handledAccessNet and scoped are all empty");
	PARSE_ERR(LL("{'rules':{'pathBeneath':[{'allowedAccess':['read_file'],'paths':['/a']}]}}"),
		  "process.landlock.ruleset: restricts nothing: handledAccessFS, handledAccessNet "
		  "and scoped are all empty");
	PARSE_ERR(LL("{'ruleset':{'handledAccessFS':[],'handledAccessNet':[],'scoped':[]}}"),
		  "process.landlock.ruleset: restricts nothing: handledAccessFS, handledAccessNet "
		  "and scoped are all empty");

	/* types */
	PARSE_ERR(LL("'all'"), "process.landlock: expected an object, got string");
	PARSE_ERR(LL("{'ruleset':[]}"), "process.landlock.ruleset: expected an object, got array");
	PARSE_ERR(LL("{'ruleset':{'handledAccessFS':['execute',2]}}"),
		  "process.landlock.ruleset.handledAccessFS[1]: expected a string, got number");
	PARSE_ERR(LL("{'ruleset':{'handledAccessFS':'execute'}}"),
		  "process.landlock.ruleset.handledAccessFS: expected an array, got string");
	PARSE_ERR(LL("{'ruleset':{'scoped':['signal']},'rules':[]}"),
		  "process.landlock.rules: expected an object, got array");
	PARSE_ERR(LL("{'ruleset':{'scoped':['signal']},'rules':{'pathBeneath':{}}}"),
		  "process.landlock.rules.pathBeneath: expected an array, got object");
	PARSE_ERR(LL("{'ruleset':{'scoped':['signal']},'rules':{'netPort':[7]}}"),
		  "process.landlock.rules.netPort[0]: expected an object, got number");
	PARSE_ERR(LL("{'ruleset':{'handledAccessFS':['read_file']},'rules':{'pathBeneath':["
		     "{'allowedAccess':['read_file'],'paths':['/a',{}]}]}}"),
		  "process.landlock.rules.pathBeneath[0].paths[1]: expected a string, got object");
	PARSE_ERR(LL("{'ruleset':{'scoped':['signal']},'disableBestEffort':1}"),
		  "process.landlock.disableBestEffort: expected a boolean, got number");

	/* the annotation */
	char *err = NULL;
	struct spec *s = NULL;
	char *j = J(LL_ANNOT("{\\'ruleset\\':"));
	CHECK(spec_parse(j, strlen(j), &s, &err) < 0 && !s && err &&
		      !strncmp(err, LL_BAD_JSON, strlen(LL_BAD_JSON)),
	      "annotation with invalid JSON: %s", err);
	free(err);
	free(j);
	err = NULL;
	j = J(LL_ANNOT(""));
	CHECK(spec_parse(j, strlen(j), &s, &err) < 0 && !s && err &&
		      !strncmp(err, LL_BAD_JSON, strlen(LL_BAD_JSON)),
	      "empty annotation: %s", err);
	free(err);
	free(j);
	PARSE_ERR(LL_ANNOT("[]"), LL_ANN_AT ": expected an object, got array");
	PARSE_ERR(LL_ANNOT("{}"),
		  LL_ANN_AT ".ruleset: restricts nothing: "
			    "handledAccessFS, handledAccessNet and scoped are all empty");
	PARSE_ERR(LL_ANNOT("{\\'ruleset\\':{\\'handledAccessFS\\':[\\'read_file\\']},\\'rules\\':"
			   "{\\'pathBeneath\\':[{\\'allowedAccess\\':[\\'read_file\\'],"
			   "\\'paths\\':[\\'etc\\']}]}}"),
		  LL_ANN_AT ".rules.pathBeneath[0].paths[0]: path 'etc' is not absolute");
	PARSE_ERR(LL_ANNOT("{\\'ruleset\\':{\\'handledAccessFS\\':[\\'read_file\\']},\\'rules\\':"
			   "{\\'pathBeneath\\':[{\\'allowedAccess\\':[\\'write_file\\'],"
			   "\\'paths\\':[\\'/etc\\']}]}}"),
		  LL_ANN_AT ".rules.pathBeneath[0].allowedAccess: 'write_file' is not "
			    "handled by ruleset.handledAccessFS");
	PARSE_ERR(LL_ANNOT("{\\'ruleset\\':{\\'handledAccessNet\\':[\\'bind_tcp\\']},\\'rules\\':"
			   "{\\'netPort\\':[{\\'allowedAccess\\':[\\'bind_tcp\\'],"
			   "\\'ports\\':[99999]}]}}"),
		  LL_ANN_AT ".rules.netPort[0].ports[0]: 99999 is out of range [0, 65535]");
	PARSE_ERR(LL_ANNOT("{\\'ruleset\\':{\\'scoped\\':[\\'ptrace\\']}}"),
		  LL_ANN_AT ".ruleset.scoped[0]: unknown scope 'ptrace'");
	/* the annotation must be a string like any other */
	PARSE_ERR(CFG(",'annotations':{'" LL_ANN "':{}}"),
		  "annotations." LL_ANN ": expected a string, got object");
	/* process.landlock's error comes first */
	PARSE_ERR(CFG(",'process':{'cwd':'/','user':{},'landlock':{}},"
		      "'annotations':{'" LL_ANN "':'x'}"),
		  "process.landlock.ruleset: restricts nothing: handledAccessFS, handledAccessNet "
		  "and scoped are all empty");
}

/* exec --process: the same object, paths relative to the process */
static void test_landlock_process(void)
{
	char *j = J("{'cwd':'/','user':{'uid':7},'args':['ls'],'landlock':{'ruleset':"
		    "{'handledAccessFS':['read_file','write_file'],"
		    "'handledAccessNet':['connect_tcp']},"
		    "'rules':{'pathBeneath':[{'allowedAccess':['read_file'],'paths':['/']}],"
		    "'netPort':[{'allowedAccess':['connect_tcp'],'ports':[53]}]},"
		    "'disableBestEffort':true}}"),
	     *err = NULL;
	struct spec_process *p = NULL;
	CHECK(spec_parse_process(j, strlen(j), &p, &err) == 0 && p && p->landlock,
	      "spec_parse_process with landlock: %s", err);
	if (p && p->landlock) {
		struct spec_landlock *l = p->landlock;
		CHECK(l->handled_fs == (FS_BIT(1) | FS_BIT(2)) && l->handled_net == FS_BIT(1) &&
			      !l->scoped && l->n_path_beneath == 1 &&
			      !strcmp(l->path_beneath[0].paths[0], "/") && l->n_net_port == 1 &&
			      l->net_port[0].ports[0] == 53 && l->disable_best_effort,
		      "exec process landlock");
	}
	spec_process_free(p);
	free(j);
	free(err);
	err = NULL;
	p = NULL;

	j = J("{'cwd':'/','user':{},'landlock':{'ruleset':{'handledAccessNet':['bind_tcp']},"
	      "'rules':{'netPort':[{'allowedAccess':['bind_tcp'],'ports':[70000]}]}}}");
	CHECK(spec_parse_process(j, strlen(j), &p, &err) < 0 && !p && err &&
		      !strcmp(err, "landlock.rules.netPort[0].ports[0]: 70000 is out of range "
				   "[0, 65535]"),
	      "exec process landlock error: %s", err);
	free(j);
	free(err);
	err = NULL;
	j = J("{'cwd':'/','user':{},'landlock':{'ruleset':{}}}");
	CHECK(spec_parse_process(j, strlen(j), &p, &err) < 0 && !p && err &&
		      !strcmp(err, "landlock.ruleset: restricts nothing: handledAccessFS, "
				   "handledAccessNet and scoped are all empty"),
	      "exec process empty ruleset: %s", err);
	free(j);
	free(err);
}

/* Every prefix and one-character mutation of a landlock config must fail
 * (or succeed) without leaking what was parsed so far (ASan/LSan build). */
static void test_landlock_free(void)
{
	static const char doc[] =
		CFG(",'process':{'cwd':'/','user':{'uid':0,'gid':0},'landlock':"
		    "{'ruleset':{'handledAccessFS':['execute','read_file','refer'],"
		    "'handledAccessNet':['bind_tcp','connect_tcp'],'scoped':['signal']},"
		    "'rules':{'pathBeneath':["
		    "{'allowedAccess':['execute','read_file'],'paths':['/usr','/bin']},"
		    "{'allowedAccess':['refer'],'paths':['/tmp']}],"
		    "'netPort':[{'allowedAccess':['connect_tcp'],'ports':[443,80]},"
		    "{'allowedAccess':['bind_tcp'],'ports':[8080]}]},'disableBestEffort':true}},"
		    "'annotations':{'" LL_ANN "':"
		    "'{\\'ruleset\\':{\\'handledAccessFS\\':[\\'read_file\\']},"
		    "\\'rules\\':{\\'pathBeneath\\':[{\\'allowedAccess\\':[\\'read_file\\'],"
		    "\\'paths\\':[\\'/etc\\',\\'/usr\\']}]}}'}");
	char *j = J(doc);
	size_t len = strlen(j);
	struct spec *s = NULL;
	char *err = NULL;
	CHECK(spec_parse(j, len, &s, &err) == 0 && s->process->landlock && s->landlock_annotation &&
		      s->landlock_annotation->path_beneath[0].n_paths == 2,
	      "landlock document parses: %s", err);
	spec_free(s);
	free(err);
	int ok = 0, errors = 0;
	for (size_t n = 0; n < len; n += 3) {
		s = NULL;
		err = NULL;
		if (spec_parse(j, n, &s, &err) == 0)
			ok++;
		spec_free(s);
		free(err);
	}
	CHECK(ok == 0, "%d truncated landlock documents parsed", ok);
	for (size_t i = 0; i + 1 < len; i++) {
		if (j[i] != '"' || j[i + 1] == ':')
			continue;
		char saved = j[i + 1];
		j[i + 1] = '!';
		s = NULL;
		err = NULL;
		if (spec_parse(j, len, &s, &err) < 0)
			errors++;
		spec_free(s);
		free(err);
		j[i + 1] = saved;
	}
	CHECK(errors > 20, "landlock mutations caught: %d", errors);
	free(j);
	/* spec_landlock_free alone, and of NULL */
	spec_landlock_free(NULL);
	struct spec_landlock *l = calloc(1, sizeof(*l));
	spec_landlock_free(l);
}

int main(void)
{
	test_landlock_parse();
	test_landlock_errors();
	test_landlock_process();
	test_landlock_free();
	printf("unit spec landlock: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
