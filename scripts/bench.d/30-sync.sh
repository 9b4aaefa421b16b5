for bench in crates/sync/benches/*.rs; do
  name=$(basename "$bench" .rs)
  echo "## Sync engine (\`cargo bench -p shelfsync-sync --bench $name\`)"
  echo
  cargo bench -q -p shelfsync-sync --bench "$name"
  echo
done
