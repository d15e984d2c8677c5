
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'sigstore-up' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'sigstore-up'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'sigstore-up' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use [default: the current context]')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Which instance: its namespaces (NAME-rekor-system, ...; the default instance `sigstore` uses rekor-system, ...), its state directory and its forward ports; the same as --set instance=NAME [default: sigstore]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for even more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for even more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only warnings, errors and results')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only warnings, errors and results')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('render', 'render', [CompletionResultType]::ParameterValue, 'Print the Kubernetes manifests as multi-document YAML (no cluster needed)')
            [CompletionResult]::new('images', 'images', [CompletionResultType]::ParameterValue, 'Print every image the stack runs, one a line (for mirroring; no cluster needed)')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Install (or converge) the stack on the cluster')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show each component: present, ready replicas, image, age, restarts (exit 0 only when all are ready)')
            [CompletionResult]::new('teardown', 'teardown', [CompletionResultType]::ParameterValue, 'Delete everything this instance created, and wait until it is gone')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the sigstore-up instances on the cluster: profile, ready components, age')
            [CompletionResult]::new('trust', 'trust', [CompletionResultType]::ParameterValue, 'Write the client trust files (trusted_root.json, signing_config.json, PEMs, env)')
            [CompletionResult]::new('forward', 'forward', [CompletionResultType]::ParameterValue, 'Keep port-forwards to Rekor, Fulcio and the CT log open on the instance''s 127.0.0.1 ports')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Print an OIDC identity token for signing (a service-account token; only the token, on stdout)')
            [CompletionResult]::new('env', 'env', [CompletionResultType]::ParameterValue, 'Write the CI environment (host URLs, trust file paths, OIDC_TOKEN); also to $GITHUB_ENV')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'sigstore-up;render' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'YAML file of values to override (repeatable; later files win)')
            [CompletionResult]::new('--values', '--values', [CompletionResultType]::ParameterName, 'YAML file of values to override (repeatable; later files win)')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'Override one value, e.g. --set mysql.database=trillian (repeatable; applied after -f)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Which stack: classic (Trillian, Rekor v1, ct_server) or modern (Rekor v2, TesseraCT, a timestamp authority); the same as --set profile=NAME. Commands other than install and render use the installed one')
            [CompletionResult]::new('--image-registry', '--image-registry', [CompletionResultType]::ParameterName, 'Replace the registry host of every image, e.g. registry.example.com:5000/mirror')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use [default: the current context]')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Which instance: its namespaces (NAME-rekor-system, ...; the default instance `sigstore` uses rekor-system, ...), its state directory and its forward ports; the same as --set instance=NAME [default: sigstore]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for even more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for even more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only warnings, errors and results')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only warnings, errors and results')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'sigstore-up;images' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'YAML file of values to override (repeatable; later files win)')
            [CompletionResult]::new('--values', '--values', [CompletionResultType]::ParameterName, 'YAML file of values to override (repeatable; later files win)')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'Override one value, e.g. --set mysql.database=trillian (repeatable; applied after -f)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Which stack: classic (Trillian, Rekor v1, ct_server) or modern (Rekor v2, TesseraCT, a timestamp authority); the same as --set profile=NAME. Commands other than install and render use the installed one')
            [CompletionResult]::new('--image-registry', '--image-registry', [CompletionResultType]::ParameterName, 'Replace the registry host of every image, e.g. registry.example.com:5000/mirror')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use [default: the current context]')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Which instance: its namespaces (NAME-rekor-system, ...; the default instance `sigstore` uses rekor-system, ...), its state directory and its forward ports; the same as --set instance=NAME [default: sigstore]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for even more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for even more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only warnings, errors and results')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only warnings, errors and results')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'sigstore-up;install' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'YAML file of values to override (repeatable; later files win)')
            [CompletionResult]::new('--values', '--values', [CompletionResultType]::ParameterName, 'YAML file of values to override (repeatable; later files win)')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'Override one value, e.g. --set mysql.database=trillian (repeatable; applied after -f)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Which stack: classic (Trillian, Rekor v1, ct_server) or modern (Rekor v2, TesseraCT, a timestamp authority); the same as --set profile=NAME. Commands other than install and render use the installed one')
            [CompletionResult]::new('--image-registry', '--image-registry', [CompletionResultType]::ParameterName, 'Replace the registry host of every image, e.g. registry.example.com:5000/mirror')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for workloads to become ready (e.g. 90s, 5m, 1h)')
            [CompletionResult]::new('--stop-after', '--stop-after', [CompletionResultType]::ParameterName, 'Stop after the named stage (for debugging and for partial installs)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use [default: the current context]')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Which instance: its namespaces (NAME-rekor-system, ...; the default instance `sigstore` uses rekor-system, ...), its state directory and its forward ports; the same as --set instance=NAME [default: sigstore]')
            [CompletionResult]::new('--full', '--full', [CompletionResultType]::ParameterName, 'Run every stage even when nothing changed since the last install (by default a re-run that finds every object, pod and input as the last install recorded them only writes the trust files)')
            [CompletionResult]::new('--ci', '--ci', [CompletionResultType]::ParameterName, 'For CI: afterwards start `forward --detach` (default ports), mint a token and write the environment (like `env`), also to $GITHUB_ENV and $GITHUB_OUTPUT when set')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for even more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for even more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only warnings, errors and results')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only warnings, errors and results')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'sigstore-up;status' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'YAML file of values to override (repeatable; later files win)')
            [CompletionResult]::new('--values', '--values', [CompletionResultType]::ParameterName, 'YAML file of values to override (repeatable; later files win)')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'Override one value, e.g. --set mysql.database=trillian (repeatable; applied after -f)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Which stack: classic (Trillian, Rekor v1, ct_server) or modern (Rekor v2, TesseraCT, a timestamp authority); the same as --set profile=NAME. Commands other than install and render use the installed one')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use [default: the current context]')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Which instance: its namespaces (NAME-rekor-system, ...; the default instance `sigstore` uses rekor-system, ...), its state directory and its forward ports; the same as --set instance=NAME [default: sigstore]')
            [CompletionResult]::new('--probe', '--probe', [CompletionResultType]::ParameterName, 'Also check, through tunnels, that Fulcio, Rekor and the CT log serve and sign with the keys in the trust files (exit 1 naming what differs)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for even more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for even more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only warnings, errors and results')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only warnings, errors and results')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'sigstore-up;teardown' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'YAML file of values to override (repeatable; later files win)')
            [CompletionResult]::new('--values', '--values', [CompletionResultType]::ParameterName, 'YAML file of values to override (repeatable; later files win)')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'Override one value, e.g. --set mysql.database=trillian (repeatable; applied after -f)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Which stack: classic (Trillian, Rekor v1, ct_server) or modern (Rekor v2, TesseraCT, a timestamp authority); the same as --set profile=NAME. Commands other than install and render use the installed one')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for everything to be gone')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use [default: the current context]')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Which instance: its namespaces (NAME-rekor-system, ...; the default instance `sigstore` uses rekor-system, ...), its state directory and its forward ports; the same as --set instance=NAME [default: sigstore]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required when stdin is not a terminal)')
            [CompletionResult]::new('--keep-namespaces', '--keep-namespaces', [CompletionResultType]::ParameterName, 'Delete the objects inside the namespaces but keep the namespaces themselves')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for even more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for even more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only warnings, errors and results')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only warnings, errors and results')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'sigstore-up;list' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use [default: the current context]')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Which instance: its namespaces (NAME-rekor-system, ...; the default instance `sigstore` uses rekor-system, ...), its state directory and its forward ports; the same as --set instance=NAME [default: sigstore]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for even more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for even more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only warnings, errors and results')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only warnings, errors and results')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'sigstore-up;trust' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'YAML file of values to override (repeatable; later files win)')
            [CompletionResult]::new('--values', '--values', [CompletionResultType]::ParameterName, 'YAML file of values to override (repeatable; later files win)')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'Override one value, e.g. --set mysql.database=trillian (repeatable; applied after -f)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Which stack: classic (Trillian, Rekor v1, ct_server) or modern (Rekor v2, TesseraCT, a timestamp authority); the same as --set profile=NAME. Commands other than install and render use the installed one')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Directory to write to [default: $XDG_STATE_HOME/sigstore-up/INSTANCE, else ~/.local/state/sigstore-up/INSTANCE]; without --audience both audiences go to its subdirectories cluster/ and host/')
            [CompletionResult]::new('--output-dir', '--output-dir', [CompletionResultType]::ParameterName, 'Directory to write to [default: $XDG_STATE_HOME/sigstore-up/INSTANCE, else ~/.local/state/sigstore-up/INSTANCE]; without --audience both audiences go to its subdirectories cluster/ and host/')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, 'Write only this audience''s files, directly into the directory')
            [CompletionResult]::new('--policy-controller', '--policy-controller', [CompletionResultType]::ParameterName, 'Also write a policy-controller TrustRoot manifest of this instance to FILE (the TUF root and a snapshot of the in-cluster repository as mirrorFS), ready for `kubectl apply -f`')
            [CompletionResult]::new('--rekor-port', '--rekor-port', [CompletionResultType]::ParameterName, 'Local port forwarded to Rekor (service rekor, port 80) [default: the instance''s recorded port; 3000 for the default instance when free]')
            [CompletionResult]::new('--fulcio-port', '--fulcio-port', [CompletionResultType]::ParameterName, 'Local port forwarded to Fulcio''s HTTP API (service fulcio, port 80) [default: the instance''s recorded port; 5555 for the default instance when free]')
            [CompletionResult]::new('--fulcio-grpc-port', '--fulcio-grpc-port', [CompletionResultType]::ParameterName, 'Local port forwarded to Fulcio''s gRPC API (service fulcio, port 5554) [default: the instance''s recorded port; 5554 for the default instance when free]')
            [CompletionResult]::new('--ctlog-port', '--ctlog-port', [CompletionResultType]::ParameterName, 'Local port forwarded to the CT log (service ctlog, port 80) [default: the instance''s recorded port; 6962 for the default instance when free]')
            [CompletionResult]::new('--tsa-port', '--tsa-port', [CompletionResultType]::ParameterName, 'Local port forwarded to the timestamp authority (service tsa, port 80) [default: the instance''s recorded port; 3004 for the default instance when free]')
            [CompletionResult]::new('--tuf-port', '--tuf-port', [CompletionResultType]::ParameterName, 'Local port forwarded to the TUF repository (service tuf, port 80) [default: the instance''s recorded port; 8080 for the default instance when free]')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use [default: the current context]')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Which instance: its namespaces (NAME-rekor-system, ...; the default instance `sigstore` uses rekor-system, ...), its state directory and its forward ports; the same as --set instance=NAME [default: sigstore]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for even more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for even more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only warnings, errors and results')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only warnings, errors and results')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'sigstore-up;forward' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'YAML file of values to override (repeatable; later files win)')
            [CompletionResult]::new('--values', '--values', [CompletionResultType]::ParameterName, 'YAML file of values to override (repeatable; later files win)')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'Override one value, e.g. --set mysql.database=trillian (repeatable; applied after -f)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Which stack: classic (Trillian, Rekor v1, ct_server) or modern (Rekor v2, TesseraCT, a timestamp authority); the same as --set profile=NAME. Commands other than install and render use the installed one')
            [CompletionResult]::new('--rekor-port', '--rekor-port', [CompletionResultType]::ParameterName, 'Local port forwarded to Rekor (service rekor, port 80) [default: the instance''s recorded port; 3000 for the default instance when free]')
            [CompletionResult]::new('--fulcio-port', '--fulcio-port', [CompletionResultType]::ParameterName, 'Local port forwarded to Fulcio''s HTTP API (service fulcio, port 80) [default: the instance''s recorded port; 5555 for the default instance when free]')
            [CompletionResult]::new('--fulcio-grpc-port', '--fulcio-grpc-port', [CompletionResultType]::ParameterName, 'Local port forwarded to Fulcio''s gRPC API (service fulcio, port 5554) [default: the instance''s recorded port; 5554 for the default instance when free]')
            [CompletionResult]::new('--ctlog-port', '--ctlog-port', [CompletionResultType]::ParameterName, 'Local port forwarded to the CT log (service ctlog, port 80) [default: the instance''s recorded port; 6962 for the default instance when free]')
            [CompletionResult]::new('--tsa-port', '--tsa-port', [CompletionResultType]::ParameterName, 'Local port forwarded to the timestamp authority (service tsa, port 80) [default: the instance''s recorded port; 3004 for the default instance when free]')
            [CompletionResult]::new('--tuf-port', '--tuf-port', [CompletionResultType]::ParameterName, 'Local port forwarded to the TUF repository (service tuf, port 80) [default: the instance''s recorded port; 8080 for the default instance when free]')
            [CompletionResult]::new('--pid-file', '--pid-file', [CompletionResultType]::ParameterName, 'Pid file of a detached forward [default: $XDG_STATE_HOME/sigstore-up/INSTANCE/forward.pid, else ~/.local/state/sigstore-up/INSTANCE/forward.pid]')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use [default: the current context]')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Which instance: its namespaces (NAME-rekor-system, ...; the default instance `sigstore` uses rekor-system, ...), its state directory and its forward ports; the same as --set instance=NAME [default: sigstore]')
            [CompletionResult]::new('--detach', '--detach', [CompletionResultType]::ParameterName, 'Run in the background: return once the ports accept connections (log next to the pid file)')
            [CompletionResult]::new('--stop', '--stop', [CompletionResultType]::ParameterName, 'Stop the detached forward named by the pid file, and remove the pid file')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for even more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for even more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only warnings, errors and results')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only warnings, errors and results')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'sigstore-up;token' {
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, 'Audience (aud) of the token: Fulcio''s client ID')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the service account')
            [CompletionResult]::new('--service-account', '--service-account', [CompletionResultType]::ParameterName, 'Service account the token identifies (the signing identity is https://kubernetes.io/namespaces/NAMESPACE/serviceaccounts/NAME)')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Lifetime of the token (at least 10m; the API server may shorten it)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use [default: the current context]')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Which instance: its namespaces (NAME-rekor-system, ...; the default instance `sigstore` uses rekor-system, ...), its state directory and its forward ports; the same as --set instance=NAME [default: sigstore]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for even more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for even more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only warnings, errors and results')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only warnings, errors and results')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'sigstore-up;env' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'YAML file of values to override (repeatable; later files win)')
            [CompletionResult]::new('--values', '--values', [CompletionResultType]::ParameterName, 'YAML file of values to override (repeatable; later files win)')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'Override one value, e.g. --set mysql.database=trillian (repeatable; applied after -f)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Which stack: classic (Trillian, Rekor v1, ct_server) or modern (Rekor v2, TesseraCT, a timestamp authority); the same as --set profile=NAME. Commands other than install and render use the installed one')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Also write the env file here (it holds the token: mode 0600)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Also write the env file here (it holds the token: mode 0600)')
            [CompletionResult]::new('--trust-dir', '--trust-dir', [CompletionResultType]::ParameterName, 'Directory of the trust files [default: the state directory, see `trust`]; the host files and the env file go to its subdirectory host/')
            [CompletionResult]::new('--rekor-port', '--rekor-port', [CompletionResultType]::ParameterName, 'Local port forwarded to Rekor (service rekor, port 80) [default: the instance''s recorded port; 3000 for the default instance when free]')
            [CompletionResult]::new('--fulcio-port', '--fulcio-port', [CompletionResultType]::ParameterName, 'Local port forwarded to Fulcio''s HTTP API (service fulcio, port 80) [default: the instance''s recorded port; 5555 for the default instance when free]')
            [CompletionResult]::new('--fulcio-grpc-port', '--fulcio-grpc-port', [CompletionResultType]::ParameterName, 'Local port forwarded to Fulcio''s gRPC API (service fulcio, port 5554) [default: the instance''s recorded port; 5554 for the default instance when free]')
            [CompletionResult]::new('--ctlog-port', '--ctlog-port', [CompletionResultType]::ParameterName, 'Local port forwarded to the CT log (service ctlog, port 80) [default: the instance''s recorded port; 6962 for the default instance when free]')
            [CompletionResult]::new('--tsa-port', '--tsa-port', [CompletionResultType]::ParameterName, 'Local port forwarded to the timestamp authority (service tsa, port 80) [default: the instance''s recorded port; 3004 for the default instance when free]')
            [CompletionResult]::new('--tuf-port', '--tuf-port', [CompletionResultType]::ParameterName, 'Local port forwarded to the TUF repository (service tuf, port 80) [default: the instance''s recorded port; 8080 for the default instance when free]')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, 'Audience (aud) of the token: Fulcio''s client ID')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the service account')
            [CompletionResult]::new('--service-account', '--service-account', [CompletionResultType]::ParameterName, 'Service account the token identifies (the signing identity is https://kubernetes.io/namespaces/NAMESPACE/serviceaccounts/NAME)')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Lifetime of the token (at least 10m; the API server may shorten it)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use [default: the current context]')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Which instance: its namespaces (NAME-rekor-system, ...; the default instance `sigstore` uses rekor-system, ...), its state directory and its forward ports; the same as --set instance=NAME [default: sigstore]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for even more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for even more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only warnings, errors and results')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only warnings, errors and results')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'sigstore-up;completions' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use [default: the current context]')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Which instance: its namespaces (NAME-rekor-system, ...; the default instance `sigstore` uses rekor-system, ...), its state directory and its forward ports; the same as --set instance=NAME [default: sigstore]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for even more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for even more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only warnings, errors and results')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only warnings, errors and results')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'sigstore-up;man' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use [default: the current context]')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Which instance: its namespaces (NAME-rekor-system, ...; the default instance `sigstore` uses rekor-system, ...), its state directory and its forward ports; the same as --set instance=NAME [default: sigstore]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for even more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for even more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only warnings, errors and results')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only warnings, errors and results')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'sigstore-up;help' {
            [CompletionResult]::new('render', 'render', [CompletionResultType]::ParameterValue, 'Print the Kubernetes manifests as multi-document YAML (no cluster needed)')
            [CompletionResult]::new('images', 'images', [CompletionResultType]::ParameterValue, 'Print every image the stack runs, one a line (for mirroring; no cluster needed)')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Install (or converge) the stack on the cluster')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show each component: present, ready replicas, image, age, restarts (exit 0 only when all are ready)')
            [CompletionResult]::new('teardown', 'teardown', [CompletionResultType]::ParameterValue, 'Delete everything this instance created, and wait until it is gone')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the sigstore-up instances on the cluster: profile, ready components, age')
            [CompletionResult]::new('trust', 'trust', [CompletionResultType]::ParameterValue, 'Write the client trust files (trusted_root.json, signing_config.json, PEMs, env)')
            [CompletionResult]::new('forward', 'forward', [CompletionResultType]::ParameterValue, 'Keep port-forwards to Rekor, Fulcio and the CT log open on the instance''s 127.0.0.1 ports')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Print an OIDC identity token for signing (a service-account token; only the token, on stdout)')
            [CompletionResult]::new('env', 'env', [CompletionResultType]::ParameterValue, 'Write the CI environment (host URLs, trust file paths, OIDC_TOKEN); also to $GITHUB_ENV')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'sigstore-up;help;render' {
            break
        }
        'sigstore-up;help;images' {
            break
        }
        'sigstore-up;help;install' {
            break
        }
        'sigstore-up;help;status' {
            break
        }
        'sigstore-up;help;teardown' {
            break
        }
        'sigstore-up;help;list' {
            break
        }
        'sigstore-up;help;trust' {
            break
        }
        'sigstore-up;help;forward' {
            break
        }
        'sigstore-up;help;token' {
            break
        }
        'sigstore-up;help;env' {
            break
        }
        'sigstore-up;help;completions' {
            break
        }
        'sigstore-up;help;man' {
            break
        }
        'sigstore-up;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
