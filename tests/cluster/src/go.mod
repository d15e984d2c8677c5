module sigstore-up.test/harness

go 1.26
