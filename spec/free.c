/* Freeing what the parser built, including half-built structs left by a
 * parse error (every array's count covers only what may hold pointers). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void spec_strv_free(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void kv_free(struct spec_kv *kv, size_t n)
{
	if (!kv)
		return;
	for (size_t i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

void spec_process_free(struct spec_process *p)
{
	if (!p)
		return;
	free(p->user.additional_gids);
	free(p->user.username);
	spec_strv_free(p->args, p->n_args);
	free(p->command_line);
	spec_strv_free(p->env, p->n_env);
	free(p->cwd);
	for (size_t i = 0; p->rlimits && i < p->n_rlimits; i++)
		free(p->rlimits[i].type);
	free(p->rlimits);
	free(p->apparmor_profile);
	free(p->selinux_label);
	free(p->scheduler);
	free(p->io_priority);
	if (p->exec_cpu_affinity) {
		free(p->exec_cpu_affinity->initial);
		free(p->exec_cpu_affinity->final);
		free(p->exec_cpu_affinity);
	}
	spec_landlock_free(p->landlock);
	free(p);
}

void spec_resources_free(struct spec_resources *r)
{
	if (!r)
		return;
	for (size_t i = 0; r->devices && i < r->n_devices; i++)
		free(r->devices[i].access);
	free(r->devices);
	free(r->cpu.cpus);
	free(r->cpu.mems);
	free(r->block_io.weight_device);
	free(r->block_io.throttle_read_bps);
	free(r->block_io.throttle_write_bps);
	free(r->block_io.throttle_read_iops);
	free(r->block_io.throttle_write_iops);
	for (size_t i = 0; r->hugepage_limits && i < r->n_hugepage_limits; i++)
		free(r->hugepage_limits[i].page_size);
	free(r->hugepage_limits);
	for (size_t i = 0; r->network.priorities && i < r->network.n_priorities; i++)
		free(r->network.priorities[i].name);
	free(r->network.priorities);
	for (size_t i = 0; r->rdma && i < r->n_rdma; i++)
		free(r->rdma[i].device);
	free(r->rdma);
	kv_free(r->unified, r->n_unified);
	free(r);
}

static void seccomp_free(struct spec_seccomp *s)
{
	if (!s)
		return;
	spec_strv_free(s->architectures, s->n_architectures);
	spec_strv_free(s->flags, s->n_flags);
	free(s->listener_path);
	free(s->listener_metadata);
	for (size_t i = 0; s->syscalls && i < s->n_syscalls; i++) {
		spec_strv_free(s->syscalls[i].names, s->syscalls[i].n_names);
		free(s->syscalls[i].args);
	}
	free(s->syscalls);
	free(s);
}

void spec_linux_free(struct spec_linux *l)
{
	if (!l)
		return;
	for (size_t i = 0; l->namespaces && i < l->n_namespaces; i++)
		free(l->namespaces[i].path);
	free(l->namespaces);
	free(l->uid_mappings);
	free(l->gid_mappings);
	for (size_t i = 0; l->time_offsets && i < l->n_time_offsets; i++)
		free(l->time_offsets[i].clock);
	free(l->time_offsets);
	for (size_t i = 0; l->devices && i < l->n_devices; i++)
		free(l->devices[i].path);
	free(l->devices);
	free(l->cgroups_path);
	spec_resources_free(l->resources);
	seccomp_free(l->seccomp);
	kv_free(l->sysctl, l->n_sysctl);
	spec_strv_free(l->masked_paths, l->n_masked_paths);
	spec_strv_free(l->readonly_paths, l->n_readonly_paths);
	free(l->rootfs_propagation);
	free(l->mount_label);
	if (l->personality) {
		free(l->personality->domain);
		spec_strv_free(l->personality->flags, l->personality->n_flags);
		free(l->personality);
	}
	for (size_t i = 0; l->net_devices && i < l->n_net_devices; i++) {
		free(l->net_devices[i].host_name);
		free(l->net_devices[i].name);
	}
	free(l->net_devices);
	if (l->memory_policy) {
		free(l->memory_policy->mode);
		free(l->memory_policy->nodes);
		spec_strv_free(l->memory_policy->flags, l->memory_policy->n_flags);
		free(l->memory_policy);
	}
	if (l->intel_rdt) {
		free(l->intel_rdt->clos_id);
		free(l->intel_rdt->l3_cache_schema);
		free(l->intel_rdt->mem_bw_schema);
		spec_strv_free(l->intel_rdt->schemata, l->intel_rdt->n_schemata);
		free(l->intel_rdt);
	}
	free(l);
}

void spec_hook_free_list(struct spec_hook *h, size_t n)
{
	if (!h)
		return;
	for (size_t i = 0; i < n; i++) {
		free(h[i].path);
		spec_strv_free(h[i].args, h[i].n_args);
		spec_strv_free(h[i].env, h[i].n_env);
	}
	free(h);
}

void spec_free(struct spec *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_warnings; i++)
		free(s->warnings[i]);
	free(s->warnings);
	free(s->oci_version);
	if (s->root) {
		free(s->root->path);
		free(s->root);
	}
	for (size_t i = 0; s->mounts && i < s->n_mounts; i++) {
		struct spec_mount *m = &s->mounts[i];
		free(m->destination);
		free(m->type);
		free(m->source);
		spec_strv_free(m->options, m->n_options);
		free(m->uid_mappings);
		free(m->gid_mappings);
	}
	free(s->mounts);
	spec_process_free(s->process);
	free(s->hostname);
	free(s->domainname);
	for (int k = 0; k < SPEC_HOOK_COUNT; k++)
		spec_hook_free_list(s->hooks.list[k], s->hooks.n[k]);
	kv_free(s->annotations, s->n_annotations);
	spec_landlock_free(s->landlock_annotation);
	spec_linux_free(s->linux_);
	free(s);
}

/* ---- lookups ------------------------------------------------------------- */

const struct spec_namespace *spec_namespace(const struct spec *s, enum spec_ns_type type)
{
	if (!s || !s->linux_)
		return NULL;
	for (size_t i = 0; i < s->linux_->n_namespaces; i++)
		if (s->linux_->namespaces[i].type == type)
			return &s->linux_->namespaces[i];
	return NULL;
}

const char *spec_annotation(const struct spec *s, const char *key)
{
	if (!s)
		return NULL;
	/* the last duplicate wins, as in the parser */
	for (size_t i = s->n_annotations; i-- > 0;)
		if (strcmp(s->annotations[i].key, key) == 0)
			return s->annotations[i].value;
	return NULL;
}
