# Each fragment prints one Markdown section on stdout; cargo's noise goes to stderr.
echo "## Ledger (\`cargo bench -p shelfsync-store --bench ledger\`)"
echo
cargo bench -q -p shelfsync-store --bench ledger
