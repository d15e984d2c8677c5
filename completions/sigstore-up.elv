
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
            cand -v 'Print more detail (repeat for even more)'
            cand --verbose 'Print more detail (repeat for even more)'
            cand -q 'Print only warnings, errors and results'
            cand --quiet 'Print only warnings, errors and results'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand render 'Print the Kubernetes manifests as multi-document YAML (no cluster needed)'
            cand install 'Install (or converge) the stack on the cluster'
            cand status 'Show each component: present, ready replicas, image, age, restarts (exit 0 only when all are ready)'
            cand teardown 'Delete everything this instance created, and wait until it is gone'
            cand completions 'Print a shell completion script'
            cand man 'Print the man page (roff)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'sigstore-up;render'= {
            cand -f 'YAML file of values to override (repeatable; later files win)'
            cand --values 'YAML file of values to override (repeatable; later files win)'
            cand --set 'Override one value, e.g. --set mysql.database=trillian (repeatable; applied after -f)'
            cand --image-registry 'Replace the registry host of every image, e.g. registry.example.com:5000/mirror'
            cand --kubeconfig 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]'
            cand --context 'Kubeconfig context to use [default: the current context]'
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
            cand --image-registry 'Replace the registry host of every image, e.g. registry.example.com:5000/mirror'
            cand --timeout 'How long to wait for workloads to become ready (e.g. 90s, 5m, 1h)'
            cand --stop-after 'Stop after the named stage (for debugging and for partial installs)'
            cand --kubeconfig 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]'
            cand --context 'Kubeconfig context to use [default: the current context]'
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
            cand -o 'Output format'
            cand --output 'Output format'
            cand --kubeconfig 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]'
            cand --context 'Kubeconfig context to use [default: the current context]'
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
            cand --timeout 'How long to wait for everything to be gone'
            cand --kubeconfig 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]'
            cand --context 'Kubeconfig context to use [default: the current context]'
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
        &'sigstore-up;completions'= {
            cand --kubeconfig 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]'
            cand --context 'Kubeconfig context to use [default: the current context]'
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
            cand install 'Install (or converge) the stack on the cluster'
            cand status 'Show each component: present, ready replicas, image, age, restarts (exit 0 only when all are ready)'
            cand teardown 'Delete everything this instance created, and wait until it is gone'
            cand completions 'Print a shell completion script'
            cand man 'Print the man page (roff)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'sigstore-up;help;render'= {
        }
        &'sigstore-up;help;install'= {
        }
        &'sigstore-up;help;status'= {
        }
        &'sigstore-up;help;teardown'= {
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
