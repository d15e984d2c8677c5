//! Talking to Kubernetes: client, server-side apply, readiness waits, port-forward tunnels, labels. Knows nothing about Sigstore.
