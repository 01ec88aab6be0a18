# Loopback port helpers for the benchmark scripts (sourced: . "$(dirname "$0")/ports.sh").
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# A port on 127.0.0.1 that nothing listens on right now.
free_port() {
  local port
  while true; do
    port=$(( 20000 + RANDOM % 10000 ))
    listening "$port" || { echo "$port"; return; }
  done
}
# Waits up to 30 s for something to listen on the port; otherwise ends the script.
wait_port() {
  for _ in $(seq 1 300); do listening "$1" && return 0; sleep 0.1; done
  echo "error: nothing listens on 127.0.0.1:$1 after 30 s" >&2; exit 1
}
