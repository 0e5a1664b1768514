#!/bin/sh
# The model's SNMP counters against the capturing kernel's, fixture by fixture: for every
# Fixtures/truth/NAME.nstat.txt, replays Fixtures/NAME.pcap (or .pcapng) on its host profile under
# the 6.12 profile (the nearest to the capturing kernel, as CounterTruthTests does) and prints, per
# fixture, how many counters equal the kernel's and each one that does not (model, kernel).
# Usage: Tools/counter-table.sh [PKTPATH] [FIXTURE ...]   (PKTPATH default: .build/debug/pktpath)
set -eu
cd "$(dirname "$0")/.."
bin=${1:-.build/debug/pktpath}
[ $# -gt 0 ] && shift
names=${*:-$(ls Fixtures/truth/*.nstat.txt | sed 's|.*/||; s|\.nstat\.txt$||')}
total_same=0
total_diff=0
for name in $names; do
    capture=Fixtures/$name.pcap
    [ -f "$capture" ] || capture=Fixtures/$name.pcapng
    model=$("$bin" stats "$capture" --host "Fixtures/$name.host.json" --kernel 6.12 --format nstat)
    result=$(printf '%s\n' "$model" | awk -v name="$name" '
        FNR == NR { if ($0 !~ /^#/ && NF == 2) truth[$1] = $2; next }
        $0 !~ /^#/ && NF >= 2 { model[$1] = $2 }
        END {
            for (c in truth) if (!(c in model)) model[c] = 0
            for (c in model) {
                t = (c in truth) ? truth[c] : 0
                if (model[c] == t) { if (t != 0) same++ } else { diff++; list = list sprintf("  %s model %d kernel %d\n", c, model[c], t) }
            }
            printf "%-18s %3d equal %3d differ\n%s", name, same, diff, list
        }' "Fixtures/truth/$name.nstat.txt" -)
    printf '%s\n' "$result"
    total_same=$((total_same + $(printf '%s\n' "$result" | awk 'NR == 1 { print $2 }')))
    total_diff=$((total_diff + $(printf '%s\n' "$result" | awk 'NR == 1 { print $4 }')))
done
echo "total: $total_same counters equal the kernel's, $total_diff differ"
