if [ -f target/e2e-screens/bench.txt ]; then
  echo "## Desktop app (from the last \`make test-e2e\`: debug build, through WebDriver)"
  echo
  sed 's/^bench: //; s/; /\n- /g; s/^/- /' target/e2e-screens/bench.txt
fi
