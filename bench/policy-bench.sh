#!/bin/bash
# The SPD benchmark, run inside the stock-kernel guest by bench/run.sh (make
# bench): the cost of one policy lookup with 10, 1,000 and 10,000 policies,
# host-to-host (/32) and net-to-net (/24), ksad next to the kernel's own
# XFRM, same boot, same policies.  Prints a table; nothing is asserted (the
# last line only says it ran).
. "$KSAD_TOP/tests/groups/lib.sh"
M=${KSAD_BENCH_POLICY_LOOKUPS:-200000}
P=/sys/kernel/debug/ksad/policy
K=$KSADCTL

modprobe -q esp4; modprobe -q xfrm_user
insmod "$KSAD_MODULE" || { fail "insmod the bench build of ksad"; done_testing; exit; }
ip netns add b
# nsenter, not ip netns exec: that remounts /sys and hides debugfs.
lookup() { nsenter --net=/run/netns/b sh -c "echo '$1 $M $2' > $P && cat $P"; }
# policies N PREFIX: policy i is 10.x.y.1 -> 11.x.y.1 (x.y = i), both SPDs
policies() {
	n b "$K" policy flush; n b ip xfrm policy flush
	awk -v n="$1" -v p="$2" 'BEGIN { for (i = 0; i < n; i++) {
		h = int(i / 256); l = i % 256; z = p == 32 ? 1 : 0
		printf "policy add dir in action bypass sel src 10.%d.%d.%d/%d dst 11.%d.%d.%d/%d\n", h, l, z, p, h, l, z, p } }' |
		n b "$K" -batch - > /dev/null
	awk -v n="$1" -v p="$2" 'BEGIN { for (i = 0; i < n; i++) {
		h = int(i / 256); l = i % 256; z = p == 32 ? 1 : 0
		printf "xfrm policy add src 10.%d.%d.%d/%d dst 11.%d.%d.%d/%d dir in action allow\n", h, l, z, p, h, l, z, p } }' |
		n b ip -batch -
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
row() { printf '%-40s %10s %10s %10s\n' "$1" "$2" "$3" "$(ratio "$2" "$3")"; }

# median and range of 5 runs, ksad and XFRM alternated in each
med() { tr ' ' '\n' | sort -n | awk '{ v[NR] = $1 } END { printf "%s %s-%s", v[3], v[1], v[5] }'; }
declare -A k x f kr xr
for p in 32 24; do
	for nn in 10 1000 10000; do
		policies "$nn" "$p"
		ks="" xs=""
		for _ in 1 2 3 4 5; do
			# shellcheck disable=SC2046
			set -- $(lookup "$nn" "$p")
			ks+="$4 " xs+="$6 " f[$p,$nn]="$8 $9"
		done
		read -r k[$p,$nn] kr[$p,$nn] <<< "$(echo $ks | med)"
		read -r x[$p,$nn] xr[$p,$nn] <<< "$(echo $xs | med)"
	done
done
n b "$K" policy flush; n b ip xfrm policy flush

echo
echo "ksad SPD benchmark: $(uname -r) under QEMU/TCG, $(nproc) vCPUs, one boot"
echo "(inbound lookups of random flows among the policies, $M a run; median of 5"
echo " runs, ksad and XFRM alternated, range below; found: of the last run)"
printf '%-40s %10s %10s %10s\n' "" "ksad" "XFRM" "ksad/XFRM"
for p in 32 24; do
	[ $p = 32 ] && what="host-to-host (/32)" || what="net-to-net (/24)"
	for nn in 10 1000 10000; do
		row "lookup, $nn $what (ns)" "${k[$p,$nn]}" "${x[$p,$nn]}"
		printf '%-40s %10s %10s\n' "  ... range" "${kr[$p,$nn]}" "${xr[$p,$nn]}"
		printf '%-40s %10s %10s\n' "  ... found" ${f[$p,$nn]}
	done
	row "  growth 10 -> 10,000 $what (x)" "$(ratio "${k[$p,10000]}" "${k[$p,10]}")" \
		"$(ratio "${x[$p,10000]}" "${x[$p,10]}")"
done
echo "(ksad: ksad_spd_lookup_rcu(); XFRM: __xfrm_policy_check() on a packet of the"
echo " flow with an \"allow\" policy without templates, its SPD lookup and little else)"
echo
pass "benchmark ran"
ip netns delete b
rmmod ksad
done_testing
