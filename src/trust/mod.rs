//! What a signing client needs: trusted_root.json, signing_config.json, the combined
//! ClientTrustConfig, PEM files and the CI environment. Built from public keys and certificates
//! (bytes), never from Kubernetes objects.
