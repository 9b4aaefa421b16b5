# Capture: reconciliation of 100,000 listings against the simulator (read-back and local diff
# apart) and the webhook receiver under concurrent load. BENCH_QUICK=1 scales both down.
echo "## Capture (\`cargo bench -p shelfsync-capture --bench capture\`)"
echo
cargo bench -q -p shelfsync-capture --bench capture
echo
