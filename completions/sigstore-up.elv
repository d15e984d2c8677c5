
use builtin;
use str;

set edit:completion:arg-completer[sigstore-up] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'sigstore-up'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'sigstore-up'= {
            cand --kubeconfig 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]'
            cand --context 'Kubeconfig context to use [default: the current context]'
            cand --name 'Which instance: its namespaces (NAME-rekor-system, ...; the default instance `sigstore` uses rekor-system, ...), its state directory and its forward ports; the same as --set instance=NAME [default: sigstore]'
            cand -v 'Print more detail (repeat for even more)'
            cand --verbose 'Print more detail (repeat for even more)'
            cand -q 'Print only warnings, errors and results'
            cand --quiet 'Print only warnings, errors and results'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand render 'Print the Kubernetes manifests as multi-document YAML (no cluster needed)'
            cand images 'Print every image the stack runs, one a line (for mirroring; no cluster needed)'
            cand install 'Install (or converge) the stack on the cluster'
            cand status 'Show each component: present, ready replicas, image, age, restarts (exit 0 only when all are ready)'
            cand teardown 'Delete everything this instance created, and wait until it is gone'
            cand list 'List the sigstore-up instances on the cluster: profile, ready components, age'
            cand trust 'Write the client trust files (trusted_root.json, signing_config.json, PEMs, env)'
            cand forward 'Keep port-forwards to Rekor, Fulcio and the CT log open on the instance''s 127.0.0.1 ports'
            cand token 'Print an OIDC identity token for signing (a service-account token; only the token, on stdout)'
            cand env 'Write the CI environment (host URLs, trust file paths, OIDC_TOKEN); also to $GITHUB_ENV'
            cand completions 'Print a shell completion script'
            cand man 'Print the man page (roff)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'sigstore-up;render'= {
            cand -f 'YAML file of values to override (repeatable; later files win)'
            cand --values 'YAML file of values to override (repeatable; later files win)'
            cand --set 'Override one value, e.g. --set mysql.database=trillian (repeatable; applied after -f)'
            cand --profile 'Which stack: classic (Trillian, Rekor v1, ct_server) or modern (Rekor v2, TesseraCT, a timestamp authority); the same as --set profile=NAME. Commands other than install and render use the installed one'
            cand --image-registry 'Replace the registry host of every image, e.g. registry.example.com:5000/mirror'
            cand --kubeconfig 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]'
            cand --context 'Kubeconfig context to use [default: the current context]'
            cand --name 'Which instance: its namespaces (NAME-rekor-system, ...; the default instance `sigstore` uses rekor-system, ...), its state directory and its forward ports; the same as --set instance=NAME [default: sigstore]'
            cand -v 'Print more detail (repeat for even more)'
            cand --verbose 'Print more detail (repeat for even more)'
            cand -q 'Print only warnings, errors and results'
            cand --quiet 'Print only warnings, errors and results'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'sigstore-up;images'= {
            cand -f 'YAML file of values to override (repeatable; later files win)'
            cand --values 'YAML file of values to override (repeatable; later files win)'
            cand --set 'Override one value, e.g. --set mysql.database=trillian (repeatable; applied after -f)'
            cand --profile 'Which stack: classic (Trillian, Rekor v1, ct_server) or modern (Rekor v2, TesseraCT, a timestamp authority); the same as --set profile=NAME. Commands other than install and render use the installed one'
            cand --image-registry 'Replace the registry host of every image, e.g. registry.example.com:5000/mirror'
            cand --kubeconfig 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]'
            cand --context 'Kubeconfig context to use [default: the current context]'
            cand --name 'Which instance: its namespaces (NAME-rekor-system, ...; the default instance `sigstore` uses rekor-system, ...), its state directory and its forward ports; the same as --set instance=NAME [default: sigstore]'
            cand -v 'Print more detail (repeat for even more)'
            cand --verbose 'Print more detail (repeat for even more)'
            cand -q 'Print only warnings, errors and results'
            cand --quiet 'Print only warnings, errors and results'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'sigstore-up;install'= {
            cand -f 'YAML file of values to override (repeatable; later files win)'
            cand --values 'YAML file of values to override (repeatable; later files win)'
            cand --set 'Override one value, e.g. --set mysql.database=trillian (repeatable; applied after -f)'
            cand --profile 'Which stack: classic (Trillian, Rekor v1, ct_server) or modern (Rekor v2, TesseraCT, a timestamp authority); the same as --set profile=NAME. Commands other than install and render use the installed one'
            cand --image-registry 'Replace the registry host of every image, e.g. registry.example.com:5000/mirror'
            cand --timeout 'How long to wait for workloads to become ready (e.g. 90s, 5m, 1h)'
            cand --stop-after 'Stop after the named stage (for debugging and for partial installs)'
            cand --kubeconfig 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]'
            cand --context 'Kubeconfig context to use [default: the current context]'
            cand --name 'Which instance: its namespaces (NAME-rekor-system, ...; the default instance `sigstore` uses rekor-system, ...), its state directory and its forward ports; the same as --set instance=NAME [default: sigstore]'
            cand --full 'Run every stage even when nothing changed since the last install (by default a re-run that finds every object, pod and input as the last install recorded them only writes the trust files)'
            cand --ci 'For CI: afterwards start `forward --detach` (default ports), mint a token and write the environment (like `env`), also to $GITHUB_ENV and $GITHUB_OUTPUT when set'
            cand -v 'Print more detail (repeat for even more)'
            cand --verbose 'Print more detail (repeat for even more)'
            cand -q 'Print only warnings, errors and results'
            cand --quiet 'Print only warnings, errors and results'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'sigstore-up;status'= {
            cand -f 'YAML file of values to override (repeatable; later files win)'
            cand --values 'YAML file of values to override (repeatable; later files win)'
            cand --set 'Override one value, e.g. --set mysql.database=trillian (repeatable; applied after -f)'
            cand --profile 'Which stack: classic (Trillian, Rekor v1, ct_server) or modern (Rekor v2, TesseraCT, a timestamp authority); the same as --set profile=NAME. Commands other than install and render use the installed one'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --kubeconfig 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]'
            cand --context 'Kubeconfig context to use [default: the current context]'
            cand --name 'Which instance: its namespaces (NAME-rekor-system, ...; the default instance `sigstore` uses rekor-system, ...), its state directory and its forward ports; the same as --set instance=NAME [default: sigstore]'
            cand --probe 'Also check, through tunnels, that Fulcio, Rekor and the CT log serve and sign with the keys in the trust files (exit 1 naming what differs)'
            cand -v 'Print more detail (repeat for even more)'
            cand --verbose 'Print more detail (repeat for even more)'
            cand -q 'Print only warnings, errors and results'
            cand --quiet 'Print only warnings, errors and results'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'sigstore-up;teardown'= {
            cand -f 'YAML file of values to override (repeatable; later files win)'
            cand --values 'YAML file of values to override (repeatable; later files win)'
            cand --set 'Override one value, e.g. --set mysql.database=trillian (repeatable; applied after -f)'
            cand --profile 'Which stack: classic (Trillian, Rekor v1, ct_server) or modern (Rekor v2, TesseraCT, a timestamp authority); the same as --set profile=NAME. Commands other than install and render use the installed one'
            cand --timeout 'How long to wait for everything to be gone'
            cand --kubeconfig 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]'
            cand --context 'Kubeconfig context to use [default: the current context]'
            cand --name 'Which instance: its namespaces (NAME-rekor-system, ...; the default instance `sigstore` uses rekor-system, ...), its state directory and its forward ports; the same as --set instance=NAME [default: sigstore]'
            cand -y 'Do not ask for confirmation (required when stdin is not a terminal)'
            cand --yes 'Do not ask for confirmation (required when stdin is not a terminal)'
            cand --keep-namespaces 'Delete the objects inside the namespaces but keep the namespaces themselves'
            cand -v 'Print more detail (repeat for even more)'
            cand --verbose 'Print more detail (repeat for even more)'
            cand -q 'Print only warnings, errors and results'
            cand --quiet 'Print only warnings, errors and results'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'sigstore-up;list'= {
            cand -o 'Output format'
            cand --output 'Output format'
            cand --kubeconfig 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]'
            cand --context 'Kubeconfig context to use [default: the current context]'
            cand --name 'Which instance: its namespaces (NAME-rekor-system, ...; the default instance `sigstore` uses rekor-system, ...), its state directory and its forward ports; the same as --set instance=NAME [default: sigstore]'
            cand -v 'Print more detail (repeat for even more)'
            cand --verbose 'Print more detail (repeat for even more)'
            cand -q 'Print only warnings, errors and results'
            cand --quiet 'Print only warnings, errors and results'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'sigstore-up;trust'= {
            cand -f 'YAML file of values to override (repeatable; later files win)'
            cand --values 'YAML file of values to override (repeatable; later files win)'
            cand --set 'Override one value, e.g. --set mysql.database=trillian (repeatable; applied after -f)'
            cand --profile 'Which stack: classic (Trillian, Rekor v1, ct_server) or modern (Rekor v2, TesseraCT, a timestamp authority); the same as --set profile=NAME. Commands other than install and render use the installed one'
            cand -o 'Directory to write to [default: $XDG_STATE_HOME/sigstore-up/INSTANCE, else ~/.local/state/sigstore-up/INSTANCE]; without --audience both audiences go to its subdirectories cluster/ and host/'
            cand --output-dir 'Directory to write to [default: $XDG_STATE_HOME/sigstore-up/INSTANCE, else ~/.local/state/sigstore-up/INSTANCE]; without --audience both audiences go to its subdirectories cluster/ and host/'
            cand --audience 'Write only this audience''s files, directly into the directory'
            cand --policy-controller 'Also write a policy-controller TrustRoot manifest of this instance to FILE (the TUF root and a snapshot of the in-cluster repository as mirrorFS), ready for `kubectl apply -f`'
            cand --rekor-port 'Local port forwarded to Rekor (service rekor, port 80) [default: the instance''s recorded port; 3000 for the default instance when free]'
            cand --fulcio-port 'Local port forwarded to Fulcio''s HTTP API (service fulcio, port 80) [default: the instance''s recorded port; 5555 for the default instance when free]'
            cand --fulcio-grpc-port 'Local port forwarded to Fulcio''s gRPC API (service fulcio, port 5554) [default: the instance''s recorded port; 5554 for the default instance when free]'
            cand --ctlog-port 'Local port forwarded to the CT log (service ctlog, port 80) [default: the instance''s recorded port; 6962 for the default instance when free]'
            cand --tsa-port 'Local port forwarded to the timestamp authority (service tsa, port 80) [default: the instance''s recorded port; 3004 for the default instance when free]'
            cand --tuf-port 'Local port forwarded to the TUF repository (service tuf, port 80) [default: the instance''s recorded port; 8080 for the default instance when free]'
            cand --kubeconfig 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]'
            cand --context 'Kubeconfig context to use [default: the current context]'
            cand --name 'Which instance: its namespaces (NAME-rekor-system, ...; the default instance `sigstore` uses rekor-system, ...), its state directory and its forward ports; the same as --set instance=NAME [default: sigstore]'
            cand -v 'Print more detail (repeat for even more)'
            cand --verbose 'Print more detail (repeat for even more)'
            cand -q 'Print only warnings, errors and results'
            cand --quiet 'Print only warnings, errors and results'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'sigstore-up;forward'= {
            cand -f 'YAML file of values to override (repeatable; later files win)'
            cand --values 'YAML file of values to override (repeatable; later files win)'
            cand --set 'Override one value, e.g. --set mysql.database=trillian (repeatable; applied after -f)'
            cand --profile 'Which stack: classic (Trillian, Rekor v1, ct_server) or modern (Rekor v2, TesseraCT, a timestamp authority); the same as --set profile=NAME. Commands other than install and render use the installed one'
            cand --rekor-port 'Local port forwarded to Rekor (service rekor, port 80) [default: the instance''s recorded port; 3000 for the default instance when free]'
            cand --fulcio-port 'Local port forwarded to Fulcio''s HTTP API (service fulcio, port 80) [default: the instance''s recorded port; 5555 for the default instance when free]'
            cand --fulcio-grpc-port 'Local port forwarded to Fulcio''s gRPC API (service fulcio, port 5554) [default: the instance''s recorded port; 5554 for the default instance when free]'
            cand --ctlog-port 'Local port forwarded to the CT log (service ctlog, port 80) [default: the instance''s recorded port; 6962 for the default instance when free]'
            cand --tsa-port 'Local port forwarded to the timestamp authority (service tsa, port 80) [default: the instance''s recorded port; 3004 for the default instance when free]'
            cand --tuf-port 'Local port forwarded to the TUF repository (service tuf, port 80) [default: the instance''s recorded port; 8080 for the default instance when free]'
            cand --pid-file 'Pid file of a detached forward [default: $XDG_STATE_HOME/sigstore-up/INSTANCE/forward.pid, else ~/.local/state/sigstore-up/INSTANCE/forward.pid]'
            cand --kubeconfig 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]'
            cand --context 'Kubeconfig context to use [default: the current context]'
            cand --name 'Which instance: its namespaces (NAME-rekor-system, ...; the default instance `sigstore` uses rekor-system, ...), its state directory and its forward ports; the same as --set instance=NAME [default: sigstore]'
            cand --detach 'Run in the background: return once the ports accept connections (log next to the pid file)'
            cand --stop 'Stop the detached forward named by the pid file, and remove the pid file'
            cand -v 'Print more detail (repeat for even more)'
            cand --verbose 'Print more detail (repeat for even more)'
            cand -q 'Print only warnings, errors and results'
            cand --quiet 'Print only warnings, errors and results'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'sigstore-up;token'= {
            cand --audience 'Audience (aud) of the token: Fulcio''s client ID'
            cand --namespace 'Namespace of the service account'
            cand --service-account 'Service account the token identifies (the signing identity is https://kubernetes.io/namespaces/NAMESPACE/serviceaccounts/NAME)'
            cand --duration 'Lifetime of the token (at least 10m; the API server may shorten it)'
            cand --kubeconfig 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]'
            cand --context 'Kubeconfig context to use [default: the current context]'
            cand --name 'Which instance: its namespaces (NAME-rekor-system, ...; the default instance `sigstore` uses rekor-system, ...), its state directory and its forward ports; the same as --set instance=NAME [default: sigstore]'
            cand -v 'Print more detail (repeat for even more)'
            cand --verbose 'Print more detail (repeat for even more)'
            cand -q 'Print only warnings, errors and results'
            cand --quiet 'Print only warnings, errors and results'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'sigstore-up;env'= {
            cand -f 'YAML file of values to override (repeatable; later files win)'
            cand --values 'YAML file of values to override (repeatable; later files win)'
            cand --set 'Override one value, e.g. --set mysql.database=trillian (repeatable; applied after -f)'
            cand --profile 'Which stack: classic (Trillian, Rekor v1, ct_server) or modern (Rekor v2, TesseraCT, a timestamp authority); the same as --set profile=NAME. Commands other than install and render use the installed one'
            cand -o 'Also write the env file here (it holds the token: mode 0600)'
            cand --output 'Also write the env file here (it holds the token: mode 0600)'
            cand --trust-dir 'Directory of the trust files [default: the state directory, see `trust`]; the host files and the env file go to its subdirectory host/'
            cand --rekor-port 'Local port forwarded to Rekor (service rekor, port 80) [default: the instance''s recorded port; 3000 for the default instance when free]'
            cand --fulcio-port 'Local port forwarded to Fulcio''s HTTP API (service fulcio, port 80) [default: the instance''s recorded port; 5555 for the default instance when free]'
            cand --fulcio-grpc-port 'Local port forwarded to Fulcio''s gRPC API (service fulcio, port 5554) [default: the instance''s recorded port; 5554 for the default instance when free]'
            cand --ctlog-port 'Local port forwarded to the CT log (service ctlog, port 80) [default: the instance''s recorded port; 6962 for the default instance when free]'
            cand --tsa-port 'Local port forwarded to the timestamp authority (service tsa, port 80) [default: the instance''s recorded port; 3004 for the default instance when free]'
            cand --tuf-port 'Local port forwarded to the TUF repository (service tuf, port 80) [default: the instance''s recorded port; 8080 for the default instance when free]'
            cand --audience 'Audience (aud) of the token: Fulcio''s client ID'
            cand --namespace 'Namespace of the service account'
            cand --service-account 'Service account the token identifies (the signing identity is https://kubernetes.io/namespaces/NAMESPACE/serviceaccounts/NAME)'
            cand --duration 'Lifetime of the token (at least 10m; the API server may shorten it)'
            cand --kubeconfig 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]'
            cand --context 'Kubeconfig context to use [default: the current context]'
            cand --name 'Which instance: its namespaces (NAME-rekor-system, ...; the default instance `sigstore` uses rekor-system, ...), its state directory and its forward ports; the same as --set instance=NAME [default: sigstore]'
            cand -v 'Print more detail (repeat for even more)'
            cand --verbose 'Print more detail (repeat for even more)'
            cand -q 'Print only warnings, errors and results'
            cand --quiet 'Print only warnings, errors and results'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'sigstore-up;completions'= {
            cand --kubeconfig 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]'
            cand --context 'Kubeconfig context to use [default: the current context]'
            cand --name 'Which instance: its namespaces (NAME-rekor-system, ...; the default instance `sigstore` uses rekor-system, ...), its state directory and its forward ports; the same as --set instance=NAME [default: sigstore]'
            cand -v 'Print more detail (repeat for even more)'
            cand --verbose 'Print more detail (repeat for even more)'
            cand -q 'Print only warnings, errors and results'
            cand --quiet 'Print only warnings, errors and results'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'sigstore-up;man'= {
            cand --kubeconfig 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]'
            cand --context 'Kubeconfig context to use [default: the current context]'
            cand --name 'Which instance: its namespaces (NAME-rekor-system, ...; the default instance `sigstore` uses rekor-system, ...), its state directory and its forward ports; the same as --set instance=NAME [default: sigstore]'
            cand -v 'Print more detail (repeat for even more)'
            cand --verbose 'Print more detail (repeat for even more)'
            cand -q 'Print only warnings, errors and results'
            cand --quiet 'Print only warnings, errors and results'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'sigstore-up;help'= {
            cand render 'Print the Kubernetes manifests as multi-document YAML (no cluster needed)'
            cand images 'Print every image the stack runs, one a line (for mirroring; no cluster needed)'
            cand install 'Install (or converge) the stack on the cluster'
            cand status 'Show each component: present, ready replicas, image, age, restarts (exit 0 only when all are ready)'
            cand teardown 'Delete everything this instance created, and wait until it is gone'
            cand list 'List the sigstore-up instances on the cluster: profile, ready components, age'
            cand trust 'Write the client trust files (trusted_root.json, signing_config.json, PEMs, env)'
            cand forward 'Keep port-forwards to Rekor, Fulcio and the CT log open on the instance''s 127.0.0.1 ports'
            cand token 'Print an OIDC identity token for signing (a service-account token; only the token, on stdout)'
            cand env 'Write the CI environment (host URLs, trust file paths, OIDC_TOKEN); also to $GITHUB_ENV'
            cand completions 'Print a shell completion script'
            cand man 'Print the man page (roff)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'sigstore-up;help;render'= {
        }
        &'sigstore-up;help;images'= {
        }
        &'sigstore-up;help;install'= {
        }
        &'sigstore-up;help;status'= {
        }
        &'sigstore-up;help;teardown'= {
        }
        &'sigstore-up;help;list'= {
        }
        &'sigstore-up;help;trust'= {
        }
        &'sigstore-up;help;forward'= {
        }
        &'sigstore-up;help;token'= {
        }
        &'sigstore-up;help;env'= {
        }
        &'sigstore-up;help;completions'= {
        }
        &'sigstore-up;help;man'= {
        }
        &'sigstore-up;help;help'= {
        }
    ]
    $completions[$command]
}
