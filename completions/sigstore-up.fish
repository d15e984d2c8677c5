# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_sigstore_up_global_optspecs
    string join \n kubeconfig= context= v/verbose q/quiet h/help V/version
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
complete -c sigstore-up -n "__fish_sigstore_up_needs_command" -s v -l verbose -d 'Print more detail (repeat for even more)'
complete -c sigstore-up -n "__fish_sigstore_up_needs_command" -s q -l quiet -d 'Print only warnings, errors and results'
complete -c sigstore-up -n "__fish_sigstore_up_needs_command" -s h -l help -d 'Print help'
complete -c sigstore-up -n "__fish_sigstore_up_needs_command" -s V -l version -d 'Print version'
complete -c sigstore-up -n "__fish_sigstore_up_needs_command" -f -a "render" -d 'Print the Kubernetes manifests as multi-document YAML (no cluster needed)'
complete -c sigstore-up -n "__fish_sigstore_up_needs_command" -f -a "install" -d 'Install (or converge) the stack on the cluster'
complete -c sigstore-up -n "__fish_sigstore_up_needs_command" -f -a "status" -d 'Show each component: present, ready replicas, image, age, restarts (exit 0 only when all are ready)'
complete -c sigstore-up -n "__fish_sigstore_up_needs_command" -f -a "teardown" -d 'Delete everything this instance created, and wait until it is gone'
complete -c sigstore-up -n "__fish_sigstore_up_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c sigstore-up -n "__fish_sigstore_up_needs_command" -f -a "man" -d 'Print the man page (roff)'
complete -c sigstore-up -n "__fish_sigstore_up_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand render" -s f -l values -d 'YAML file of values to override (repeatable; later files win)' -r -F
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand render" -l set -d 'Override one value, e.g. --set mysql.database=trillian (repeatable; applied after -f)' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand render" -l image-registry -d 'Replace the registry host of every image, e.g. registry.example.com:5000/mirror' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand render" -l kubeconfig -d 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]' -r -F
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand render" -l context -d 'Kubeconfig context to use [default: the current context]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand render" -s v -l verbose -d 'Print more detail (repeat for even more)'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand render" -s q -l quiet -d 'Print only warnings, errors and results'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand render" -s h -l help -d 'Print help'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand render" -s V -l version -d 'Print version'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand install" -s f -l values -d 'YAML file of values to override (repeatable; later files win)' -r -F
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand install" -l set -d 'Override one value, e.g. --set mysql.database=trillian (repeatable; applied after -f)' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand install" -l image-registry -d 'Replace the registry host of every image, e.g. registry.example.com:5000/mirror' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand install" -l timeout -d 'How long to wait for workloads to become ready (e.g. 90s, 5m, 1h)' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand install" -l stop-after -d 'Stop after the named stage (for debugging and for partial installs)' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand install" -l kubeconfig -d 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]' -r -F
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand install" -l context -d 'Kubeconfig context to use [default: the current context]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand install" -s v -l verbose -d 'Print more detail (repeat for even more)'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand install" -s q -l quiet -d 'Print only warnings, errors and results'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand install" -s h -l help -d 'Print help'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand install" -s V -l version -d 'Print version'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand status" -s f -l values -d 'YAML file of values to override (repeatable; later files win)' -r -F
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand status" -l set -d 'Override one value, e.g. --set mysql.database=trillian (repeatable; applied after -f)' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand status" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand status" -l kubeconfig -d 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]' -r -F
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand status" -l context -d 'Kubeconfig context to use [default: the current context]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand status" -s v -l verbose -d 'Print more detail (repeat for even more)'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand status" -s q -l quiet -d 'Print only warnings, errors and results'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand status" -s h -l help -d 'Print help'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand status" -s V -l version -d 'Print version'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand teardown" -s f -l values -d 'YAML file of values to override (repeatable; later files win)' -r -F
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand teardown" -l set -d 'Override one value, e.g. --set mysql.database=trillian (repeatable; applied after -f)' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand teardown" -l timeout -d 'How long to wait for everything to be gone' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand teardown" -l kubeconfig -d 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]' -r -F
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand teardown" -l context -d 'Kubeconfig context to use [default: the current context]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand teardown" -s y -l yes -d 'Do not ask for confirmation (required when stdin is not a terminal)'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand teardown" -l keep-namespaces -d 'Delete the objects inside the namespaces but keep the namespaces themselves'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand teardown" -s v -l verbose -d 'Print more detail (repeat for even more)'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand teardown" -s q -l quiet -d 'Print only warnings, errors and results'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand teardown" -s h -l help -d 'Print help'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand teardown" -s V -l version -d 'Print version'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand completions" -l kubeconfig -d 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]' -r -F
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand completions" -l context -d 'Kubeconfig context to use [default: the current context]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand completions" -s v -l verbose -d 'Print more detail (repeat for even more)'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand completions" -s q -l quiet -d 'Print only warnings, errors and results'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand completions" -s h -l help -d 'Print help'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand completions" -s V -l version -d 'Print version'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand man" -l kubeconfig -d 'Kubeconfig file [default: the files in $KUBECONFIG, else ~/.kube/config]' -r -F
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand man" -l context -d 'Kubeconfig context to use [default: the current context]' -r
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand man" -s v -l verbose -d 'Print more detail (repeat for even more)'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand man" -s q -l quiet -d 'Print only warnings, errors and results'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand man" -s h -l help -d 'Print help'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand man" -s V -l version -d 'Print version'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand help; and not __fish_seen_subcommand_from render install status teardown completions man help" -f -a "render" -d 'Print the Kubernetes manifests as multi-document YAML (no cluster needed)'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand help; and not __fish_seen_subcommand_from render install status teardown completions man help" -f -a "install" -d 'Install (or converge) the stack on the cluster'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand help; and not __fish_seen_subcommand_from render install status teardown completions man help" -f -a "status" -d 'Show each component: present, ready replicas, image, age, restarts (exit 0 only when all are ready)'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand help; and not __fish_seen_subcommand_from render install status teardown completions man help" -f -a "teardown" -d 'Delete everything this instance created, and wait until it is gone'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand help; and not __fish_seen_subcommand_from render install status teardown completions man help" -f -a "completions" -d 'Print a shell completion script'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand help; and not __fish_seen_subcommand_from render install status teardown completions man help" -f -a "man" -d 'Print the man page (roff)'
complete -c sigstore-up -n "__fish_sigstore_up_using_subcommand help; and not __fish_seen_subcommand_from render install status teardown completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
