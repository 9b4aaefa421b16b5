echo "## Scanner pipeline (\`cargo bench -p shelfsync-scan --bench pipeline\`)"
echo
cargo bench -q -p shelfsync-scan --bench pipeline
