# Convert a podman/moby seccomp.json ($prof[0]) into the OCI linux.seccomp of
# the config given as input. Arguments: $goarch (amd64...), $scmparch
# (SCMP_ARCH_X86_64...), $kver ("6.18.44").
def kv: split(".") | map(tonumber? // 0);
def kernel_ok: (.minKernel // null) as $m | $m == null or ($kver | kv) >= ($m | kv);

(.process.capabilities.bounding // []) as $caps
| $prof[0] as $p
| .linux.seccomp = {
	defaultAction: $p.defaultAction,
	architectures: ([$p.archMap[]? | select(.architecture == $scmparch)
		| [.architecture] + (.subArchitectures // [])] | add // []),
	syscalls: [$p.syscalls[]
		| select(((.includes.arches // []) | length == 0) or ((.includes.arches // []) | index($goarch)))
		| select(((.excludes.arches // []) | index($goarch)) | not)
		| select(((.includes.caps // []) - $caps) | length == 0)
		| select(((.excludes.caps // []) - ((.excludes.caps // []) - $caps)) | length == 0)
		| select(.includes | kernel_ok)
		| {names, action}
		  + (if (.args // []) | length > 0 then {args} else {} end)
		  + (if .errnoRet != null then {errnoRet} else {} end)]
  }
  + (if $p.defaultErrnoRet != null then {defaultErrnoRet: $p.defaultErrnoRet} else {} end)
| .linux.seccomp |= (if .architectures == [] then del(.architectures) else . end)
