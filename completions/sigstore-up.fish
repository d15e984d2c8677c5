# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_sigstore_up_global_optspecs
    string join \n kubeconfig= context= name= v/verbose q/quiet h/help V/version
end

function __fish_sigstore_up_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_sigstore_up_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_sigstore_up_using_subcommand
    set -l cmd (__fish_sigstore_up_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c sigstore-up -n "__fish_sigstore_up_needs_command" -l kubeconfig -d 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]' -r -F
complete -c sigstore-up -n "__fish_sigstore_up_needs_command" -l context -d 'Kubeconfig context to use [default: the current context]' -r
complete -c sigstore-up -n "__fish_sigstore_up_needs_command" -l name -d 'Which instance: its namespaces (NAME-rekor-system, ...; the default instance `sigstore` uses rekor-system, ...), its state directory and its forward ports; the same as --set instance=NAME [default: sigstore]' -r
complete -c sigstore-up -n "__fish_sigstore_up_needs_command" -s v -l verbose -d 'Print more detail (repeat for even more)'
complete -c sigstore-up -n "__fish_sigstore_up_needs_command" -s q -l quiet -d 'Print only warnings, errors and results'
complete -c sigstore-up -n "__fish_sigstore_up_needs_command" -s h -l help -d 'Print help'
complete -c sigstore-up -n "__fish_sigstore_up_needs_command" -s V -l version -d 'Print version'
complete -c sigstore-up -n "__fish_sigstore_up_needs_command" -f -a "render" -d 'Print the Kubernetes manifests as multi-document YAML (no cluster needed)'
complete -c sigstore-up -n "__fish_sigstore_up_needs_command" -f -a "images" -d 'Print every image the stack runs, one a line (for mirroring; no cluster needed)'
complete -c sigstore-up -n "__fish_sigstore_up_needs_command" -f -a "install" -d 'Install (or converge) the stack on the cluster'
complete -c sigstore-up -n "__fish_sigstore_up_needs_command" -f -a "status" -d 'Show each component: present, ready replicas, image, age, restarts (exit 0 only when all are ready)'
complete -c sigstore-up -n "__fish_sigstore_up_needs_command" -f -a "teardown" -d 'Delete everything this instance created, and wait until it is gone'
complete -c sigstore-up -n "__fish_sigstore_up_needs_command" -f -a "list" -d 'List the sigstore-up instances on the cluster: profile, ready components, age'
complete -c sigstore-up -n "__fish_sigstore_up_needs_command" -f -a "trust" -d 'Write the client trust files (trusted_root.json, signing_config.json, PEMs, env)'
complete -c sigstore-up -n "__fish_sigstore_up_needs_command" -f -a "forward" -d 'Keep port-forwards to Rekor, Fulcio and the CT log open on the instance\'s 127.0.0.1 ports'
complete -c sigstore-up -n "__fish_sigstore_up_needs_command" -f -a "token" -d 'Print an OIDC identity token for signing (a service-account token; only the token, on stdout)'
complete -c sigstore-up -n "__fish_sigstore_up_needs_command" -f -a "env" -d 'Write the CI environment (host URLs, trust file paths, OIDC_TOKEN); also to $GITHUB_ENV'
complete -c sigstore-up -n "__fish_sigstore_up_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c sigstore-up -n "__fish_sigstore_up_needs_command" -f -a "man" -d 'Print the man page (roff)'
complete -c sigstore-up -n "__fish_sigstore_up_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand render" -s f -l values -d 'YAML file of values to override (repeatable; later files win)' -r -F
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand render" -l set -d 'Override one value, e.g. --set mysql.database=trillian (repeatable; applied after -f)' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand render" -l profile -d 'Which stack: classic (Trillian, Rekor v1, ct_server) or modern (Rekor v2, TesseraCT, a timestamp authority); the same as --set profile=NAME. Commands other than install and render use the installed one' -r -f -a "classic\t''
modern\t''"
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand render" -l image-registry -d 'Replace the registry host of every image, e.g. registry.example.com:5000/mirror' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand render" -l kubeconfig -d 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]' -r -F
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand render" -l context -d 'Kubeconfig context to use [default: the current context]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand render" -l name -d 'Which instance: its namespaces (NAME-rekor-system, ...; the default instance `sigstore` uses rekor-system, ...), its state directory and its forward ports; the same as --set instance=NAME [default: sigstore]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand render" -s v -l verbose -d 'Print more detail (repeat for even more)'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand render" -s q -l quiet -d 'Print only warnings, errors and results'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand render" -s h -l help -d 'Print help'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand render" -s V -l version -d 'Print version'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand images" -s f -l values -d 'YAML file of values to override (repeatable; later files win)' -r -F
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand images" -l set -d 'Override one value, e.g. --set mysql.database=trillian (repeatable; applied after -f)' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand images" -l profile -d 'Which stack: classic (Trillian, Rekor v1, ct_server) or modern (Rekor v2, TesseraCT, a timestamp authority); the same as --set profile=NAME. Commands other than install and render use the installed one' -r -f -a "classic\t''
modern\t''"
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand images" -l image-registry -d 'Replace the registry host of every image, e.g. registry.example.com:5000/mirror' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand images" -l kubeconfig -d 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]' -r -F
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand images" -l context -d 'Kubeconfig context to use [default: the current context]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand images" -l name -d 'Which instance: its namespaces (NAME-rekor-system, ...; the default instance `sigstore` uses rekor-system, ...), its state directory and its forward ports; the same as --set instance=NAME [default: sigstore]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand images" -s v -l verbose -d 'Print more detail (repeat for even more)'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand images" -s q -l quiet -d 'Print only warnings, errors and results'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand images" -s h -l help -d 'Print help'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand images" -s V -l version -d 'Print version'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand install" -s f -l values -d 'YAML file of values to override (repeatable; later files win)' -r -F
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand install" -l set -d 'Override one value, e.g. --set mysql.database=trillian (repeatable; applied after -f)' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand install" -l profile -d 'Which stack: classic (Trillian, Rekor v1, ct_server) or modern (Rekor v2, TesseraCT, a timestamp authority); the same as --set profile=NAME. Commands other than install and render use the installed one' -r -f -a "classic\t''
modern\t''"
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand install" -l image-registry -d 'Replace the registry host of every image, e.g. registry.example.com:5000/mirror' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand install" -l timeout -d 'How long to wait for workloads to become ready (e.g. 90s, 5m, 1h)' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand install" -l stop-after -d 'Stop after the named stage (for debugging and for partial installs)' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand install" -l kubeconfig -d 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]' -r -F
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand install" -l context -d 'Kubeconfig context to use [default: the current context]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand install" -l name -d 'Which instance: its namespaces (NAME-rekor-system, ...; the default instance `sigstore` uses rekor-system, ...), its state directory and its forward ports; the same as --set instance=NAME [default: sigstore]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand install" -l full -d 'Run every stage even when nothing changed since the last install (by default a re-run that finds every object, pod and input as the last install recorded them only writes the trust files)'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand install" -l ci -d 'For CI: afterwards start `forward --detach` (default ports), mint a token and write the environment (like `env`), also to $GITHUB_ENV and $GITHUB_OUTPUT when set'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand install" -s v -l verbose -d 'Print more detail (repeat for even more)'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand install" -s q -l quiet -d 'Print only warnings, errors and results'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand install" -s h -l help -d 'Print help'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand install" -s V -l version -d 'Print version'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand status" -s f -l values -d 'YAML file of values to override (repeatable; later files win)' -r -F
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand status" -l set -d 'Override one value, e.g. --set mysql.database=trillian (repeatable; applied after -f)' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand status" -l profile -d 'Which stack: classic (Trillian, Rekor v1, ct_server) or modern (Rekor v2, TesseraCT, a timestamp authority); the same as --set profile=NAME. Commands other than install and render use the installed one' -r -f -a "classic\t''
modern\t''"
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand status" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand status" -l kubeconfig -d 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]' -r -F
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand status" -l context -d 'Kubeconfig context to use [default: the current context]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand status" -l name -d 'Which instance: its namespaces (NAME-rekor-system, ...; the default instance `sigstore` uses rekor-system, ...), its state directory and its forward ports; the same as --set instance=NAME [default: sigstore]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand status" -l probe -d 'Also check, through tunnels, that Fulcio, Rekor and the CT log serve and sign with the keys in the trust files (exit 1 naming what differs)'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand status" -s v -l verbose -d 'Print more detail (repeat for even more)'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand status" -s q -l quiet -d 'Print only warnings, errors and results'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand status" -s h -l help -d 'Print help'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand status" -s V -l version -d 'Print version'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand teardown" -s f -l values -d 'YAML file of values to override (repeatable; later files win)' -r -F
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand teardown" -l set -d 'Override one value, e.g. --set mysql.database=trillian (repeatable; applied after -f)' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand teardown" -l profile -d 'Which stack: classic (Trillian, Rekor v1, ct_server) or modern (Rekor v2, TesseraCT, a timestamp authority); the same as --set profile=NAME. Commands other than install and render use the installed one' -r -f -a "classic\t''
modern\t''"
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand teardown" -l timeout -d 'How long to wait for everything to be gone' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand teardown" -l kubeconfig -d 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]' -r -F
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand teardown" -l context -d 'Kubeconfig context to use [default: the current context]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand teardown" -l name -d 'Which instance: its namespaces (NAME-rekor-system, ...; the default instance `sigstore` uses rekor-system, ...), its state directory and its forward ports; the same as --set instance=NAME [default: sigstore]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand teardown" -s y -l yes -d 'Do not ask for confirmation (required when stdin is not a terminal)'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand teardown" -l keep-namespaces -d 'Delete the objects inside the namespaces but keep the namespaces themselves'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand teardown" -s v -l verbose -d 'Print more detail (repeat for even more)'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand teardown" -s q -l quiet -d 'Print only warnings, errors and results'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand teardown" -s h -l help -d 'Print help'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand teardown" -s V -l version -d 'Print version'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand list" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand list" -l kubeconfig -d 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]' -r -F
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand list" -l context -d 'Kubeconfig context to use [default: the current context]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand list" -l name -d 'Which instance: its namespaces (NAME-rekor-system, ...; the default instance `sigstore` uses rekor-system, ...), its state directory and its forward ports; the same as --set instance=NAME [default: sigstore]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand list" -s v -l verbose -d 'Print more detail (repeat for even more)'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand list" -s q -l quiet -d 'Print only warnings, errors and results'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand list" -s h -l help -d 'Print help'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand list" -s V -l version -d 'Print version'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand trust" -s f -l values -d 'YAML file of values to override (repeatable; later files win)' -r -F
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand trust" -l set -d 'Override one value, e.g. --set mysql.database=trillian (repeatable; applied after -f)' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand trust" -l profile -d 'Which stack: classic (Trillian, Rekor v1, ct_server) or modern (Rekor v2, TesseraCT, a timestamp authority); the same as --set profile=NAME. Commands other than install and render use the installed one' -r -f -a "classic\t''
modern\t''"
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand trust" -s o -l output-dir -d 'Directory to write to [default: $XDG_STATE_HOME/sigstore-up/INSTANCE, else ~/.local/state/sigstore-up/INSTANCE]; without --audience both audiences go to its subdirectories cluster/ and host/' -r -F
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand trust" -l audience -d 'Write only this audience\'s files, directly into the directory' -r -f -a "host\t'Programs on this machine, through `sigstore-up forward` (http://127.0.0.1:PORT)'
cluster\t'Pods in the cluster (http://SERVICE.NAMESPACE.svc)'"
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand trust" -l policy-controller -d 'Also write a policy-controller TrustRoot manifest of this instance to FILE (the TUF root and a snapshot of the in-cluster repository as mirrorFS), ready for `kubectl apply -f`' -r -F
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand trust" -l rekor-port -d 'Local port forwarded to Rekor (service rekor, port 80) [default: the instance\'s recorded port; 3000 for the default instance when free]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand trust" -l fulcio-port -d 'Local port forwarded to Fulcio\'s HTTP API (service fulcio, port 80) [default: the instance\'s recorded port; 5555 for the default instance when free]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand trust" -l fulcio-grpc-port -d 'Local port forwarded to Fulcio\'s gRPC API (service fulcio, port 5554) [default: the instance\'s recorded port; 5554 for the default instance when free]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand trust" -l ctlog-port -d 'Local port forwarded to the CT log (service ctlog, port 80) [default: the instance\'s recorded port; 6962 for the default instance when free]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand trust" -l tsa-port -d 'Local port forwarded to the timestamp authority (service tsa, port 80) [default: the instance\'s recorded port; 3004 for the default instance when free]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand trust" -l tuf-port -d 'Local port forwarded to the TUF repository (service tuf, port 80) [default: the instance\'s recorded port; 8080 for the default instance when free]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand trust" -l kubeconfig -d 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]' -r -F
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand trust" -l context -d 'Kubeconfig context to use [default: the current context]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand trust" -l name -d 'Which instance: its namespaces (NAME-rekor-system, ...; the default instance `sigstore` uses rekor-system, ...), its state directory and its forward ports; the same as --set instance=NAME [default: sigstore]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand trust" -s v -l verbose -d 'Print more detail (repeat for even more)'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand trust" -s q -l quiet -d 'Print only warnings, errors and results'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand trust" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand trust" -s V -l version -d 'Print version'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand forward" -s f -l values -d 'YAML file of values to override (repeatable; later files win)' -r -F
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand forward" -l set -d 'Override one value, e.g. --set mysql.database=trillian (repeatable; applied after -f)' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand forward" -l profile -d 'Which stack: classic (Trillian, Rekor v1, ct_server) or modern (Rekor v2, TesseraCT, a timestamp authority); the same as --set profile=NAME. Commands other than install and render use the installed one' -r -f -a "classic\t''
modern\t''"
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand forward" -l rekor-port -d 'Local port forwarded to Rekor (service rekor, port 80) [default: the instance\'s recorded port; 3000 for the default instance when free]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand forward" -l fulcio-port -d 'Local port forwarded to Fulcio\'s HTTP API (service fulcio, port 80) [default: the instance\'s recorded port; 5555 for the default instance when free]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand forward" -l fulcio-grpc-port -d 'Local port forwarded to Fulcio\'s gRPC API (service fulcio, port 5554) [default: the instance\'s recorded port; 5554 for the default instance when free]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand forward" -l ctlog-port -d 'Local port forwarded to the CT log (service ctlog, port 80) [default: the instance\'s recorded port; 6962 for the default instance when free]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand forward" -l tsa-port -d 'Local port forwarded to the timestamp authority (service tsa, port 80) [default: the instance\'s recorded port; 3004 for the default instance when free]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand forward" -l tuf-port -d 'Local port forwarded to the TUF repository (service tuf, port 80) [default: the instance\'s recorded port; 8080 for the default instance when free]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand forward" -l pid-file -d 'Pid file of a detached forward [default: $XDG_STATE_HOME/sigstore-up/INSTANCE/forward.pid, else ~/.local/state/sigstore-up/INSTANCE/forward.pid]' -r -F
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand forward" -l kubeconfig -d 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]' -r -F
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand forward" -l context -d 'Kubeconfig context to use [default: the current context]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand forward" -l name -d 'Which instance: its namespaces (NAME-rekor-system, ...; the default instance `sigstore` uses rekor-system, ...), its state directory and its forward ports; the same as --set instance=NAME [default: sigstore]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand forward" -l detach -d 'Run in the background: return once the ports accept connections (log next to the pid file)'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand forward" -l stop -d 'Stop the detached forward named by the pid file, and remove the pid file'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand forward" -s v -l verbose -d 'Print more detail (repeat for even more)'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand forward" -s q -l quiet -d 'Print only warnings, errors and results'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand forward" -s h -l help -d 'Print help'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand forward" -s V -l version -d 'Print version'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand token" -l audience -d 'Audience (aud) of the token: Fulcio\'s client ID' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand token" -l namespace -d 'Namespace of the service account' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand token" -l service-account -d 'Service account the token identifies (the signing identity is https://kubernetes.io/namespaces/NAMESPACE/serviceaccounts/NAME)' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand token" -l duration -d 'Lifetime of the token (at least 10m; the API server may shorten it)' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand token" -l kubeconfig -d 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]' -r -F
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand token" -l context -d 'Kubeconfig context to use [default: the current context]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand token" -l name -d 'Which instance: its namespaces (NAME-rekor-system, ...; the default instance `sigstore` uses rekor-system, ...), its state directory and its forward ports; the same as --set instance=NAME [default: sigstore]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand token" -s v -l verbose -d 'Print more detail (repeat for even more)'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand token" -s q -l quiet -d 'Print only warnings, errors and results'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand token" -s h -l help -d 'Print help'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand token" -s V -l version -d 'Print version'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand env" -s f -l values -d 'YAML file of values to override (repeatable; later files win)' -r -F
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand env" -l set -d 'Override one value, e.g. --set mysql.database=trillian (repeatable; applied after -f)' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand env" -l profile -d 'Which stack: classic (Trillian, Rekor v1, ct_server) or modern (Rekor v2, TesseraCT, a timestamp authority); the same as --set profile=NAME. Commands other than install and render use the installed one' -r -f -a "classic\t''
modern\t''"
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand env" -s o -l output -d 'Also write the env file here (it holds the token: mode 0600)' -r -F
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand env" -l trust-dir -d 'Directory of the trust files [default: the state directory, see `trust`]; the host files and the env file go to its subdirectory host/' -r -F
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand env" -l rekor-port -d 'Local port forwarded to Rekor (service rekor, port 80) [default: the instance\'s recorded port; 3000 for the default instance when free]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand env" -l fulcio-port -d 'Local port forwarded to Fulcio\'s HTTP API (service fulcio, port 80) [default: the instance\'s recorded port; 5555 for the default instance when free]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand env" -l fulcio-grpc-port -d 'Local port forwarded to Fulcio\'s gRPC API (service fulcio, port 5554) [default: the instance\'s recorded port; 5554 for the default instance when free]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand env" -l ctlog-port -d 'Local port forwarded to the CT log (service ctlog, port 80) [default: the instance\'s recorded port; 6962 for the default instance when free]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand env" -l tsa-port -d 'Local port forwarded to the timestamp authority (service tsa, port 80) [default: the instance\'s recorded port; 3004 for the default instance when free]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand env" -l tuf-port -d 'Local port forwarded to the TUF repository (service tuf, port 80) [default: the instance\'s recorded port; 8080 for the default instance when free]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand env" -l audience -d 'Audience (aud) of the token: Fulcio\'s client ID' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand env" -l namespace -d 'Namespace of the service account' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand env" -l service-account -d 'Service account the token identifies (the signing identity is https://kubernetes.io/namespaces/NAMESPACE/serviceaccounts/NAME)' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand env" -l duration -d 'Lifetime of the token (at least 10m; the API server may shorten it)' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand env" -l kubeconfig -d 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]' -r -F
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand env" -l context -d 'Kubeconfig context to use [default: the current context]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand env" -l name -d 'Which instance: its namespaces (NAME-rekor-system, ...; the default instance `sigstore` uses rekor-system, ...), its state directory and its forward ports; the same as --set instance=NAME [default: sigstore]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand env" -s v -l verbose -d 'Print more detail (repeat for even more)'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand env" -s q -l quiet -d 'Print only warnings, errors and results'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand env" -s h -l help -d 'Print help'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand env" -s V -l version -d 'Print version'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand completions" -l kubeconfig -d 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]' -r -F
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand completions" -l context -d 'Kubeconfig context to use [default: the current context]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand completions" -l name -d 'Which instance: its namespaces (NAME-rekor-system, ...; the default instance `sigstore` uses rekor-system, ...), its state directory and its forward ports; the same as --set instance=NAME [default: sigstore]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand completions" -s v -l verbose -d 'Print more detail (repeat for even more)'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand completions" -s q -l quiet -d 'Print only warnings, errors and results'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand completions" -s h -l help -d 'Print help'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand completions" -s V -l version -d 'Print version'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand man" -l kubeconfig -d 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]' -r -F
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand man" -l context -d 'Kubeconfig context to use [default: the current context]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand man" -l name -d 'Which instance: its namespaces (NAME-rekor-system, ...; the default instance `sigstore` uses rekor-system, ...), its state directory and its forward ports; the same as --set instance=NAME [default: sigstore]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand man" -s v -l verbose -d 'Print more detail (repeat for even more)'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand man" -s q -l quiet -d 'Print only warnings, errors and results'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand man" -s h -l help -d 'Print help'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand man" -s V -l version -d 'Print version'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand help; and not __fish_seen_subcommand_from render images install status teardown list trust forward token env completions man help" -f -a "render" -d 'Print the Kubernetes manifests as multi-document YAML (no cluster needed)'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand help; and not __fish_seen_subcommand_from render images install status teardown list trust forward token env completions man help" -f -a "images" -d 'Print every image the stack runs, one a line (for mirroring; no cluster needed)'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand help; and not __fish_seen_subcommand_from render images install status teardown list trust forward token env completions man help" -f -a "install" -d 'Install (or converge) the stack on the cluster'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand help; and not __fish_seen_subcommand_from render images install status teardown list trust forward token env completions man help" -f -a "status" -d 'Show each component: present, ready replicas, image, age, restarts (exit 0 only when all are ready)'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand help; and not __fish_seen_subcommand_from render images install status teardown list trust forward token env completions man help" -f -a "teardown" -d 'Delete everything this instance created, and wait until it is gone'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand help; and not __fish_seen_subcommand_from render images install status teardown list trust forward token env completions man help" -f -a "list" -d 'List the sigstore-up instances on the cluster: profile, ready components, age'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand help; and not __fish_seen_subcommand_from render images install status teardown list trust forward token env completions man help" -f -a "trust" -d 'Write the client trust files (trusted_root.json, signing_config.json, PEMs, env)'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand help; and not __fish_seen_subcommand_from render images install status teardown list trust forward token env completions man help" -f -a "forward" -d 'Keep port-forwards to Rekor, Fulcio and the CT log open on the instance\'s 127.0.0.1 ports'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand help; and not __fish_seen_subcommand_from render images install status teardown list trust forward token env completions man help" -f -a "token" -d 'Print an OIDC identity token for signing (a service-account token; only the token, on stdout)'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand help; and not __fish_seen_subcommand_from render images install status teardown list trust forward token env completions man help" -f -a "env" -d 'Write the CI environment (host URLs, trust file paths, OIDC_TOKEN); also to $GITHUB_ENV'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand help; and not __fish_seen_subcommand_from render images install status teardown list trust forward token env completions man help" -f -a "completions" -d 'Print a shell completion script'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand help; and not __fish_seen_subcommand_from render images install status teardown list trust forward token env completions man help" -f -a "man" -d 'Print the man page (roff)'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand help; and not __fish_seen_subcommand_from render images install status teardown list trust forward token env completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
