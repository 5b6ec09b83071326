"""The onlyoffice-containers.json dashboard. CPU and memory of the stack's containers against their
limits, restarts, exit codes, health, processes, volumes and I/O."""
from panels import Layout, dashboard, sel, stat, table, timeseries, variables


# The container variable's selector, in every query.
name = 'name=~"$container"'


def _at_a_glance(l):
    l.row("At a glance")
    l.add(stat("Containers not running",
               ['count(container_running%s == 0) or vector(0)' % sel(name)], "none",
               [(None, "green"), (1, "red")],
               "Selected containers whose engine state is not running."), 6, 4)
    l.add(stat("Highest CPU of its limit",
               ['max(container:cpu_usage:ratio%s)' % sel(name)], "percentunit",
               [(None, "green"), (0.8, "orange"), (0.95, "red")],
               "The busiest container's CPU against its quota (host cores when it has none)."), 6, 4)
    l.add(stat("Highest memory of its limit",
               ['max(container:memory_usage:ratio%s)' % sel(name)], "percentunit",
               [(None, "green"), (0.8, "orange"), (0.95, "red")],
               "Working set against the memory limit, for containers that have one."), 6, 4)
    l.add(stat("Restarts",
               ['sum(increase(container_restarts_total%s[$__rate_interval]))' % sel(name)],
               "none", [(None, "green"), (1, "orange"), (3, "red")],
               "Restarts by the engine's restart policy in the last rate interval."), 6, 4)
    l.add(stat("OOM kills",
               ['sum(increase(container_oom_events_total%s[$__rate_interval])) or vector(0)' % sel(name)],
               "none", [(None, "green"), (0.5, "red")],
               "The kernel's OOM kills of any process of the containers (a child such as x2t, or "
               "the main process, also when the engine restarted it) in the last rate interval."), 6, 4)
    l.add(stat("Unhealthy",
               ['count(container_health_status%s == 1) or vector(0)' % sel(name + ', status="unhealthy"')],
               "none", [(None, "green"), (1, "red")],
               "Containers whose own health check fails (the engine's status)."), 6, 4)
    l.add(stat("Highest open files of the limit",
               ['max(container:open_files:ratio%s)' % sel(name)], "percentunit",
               [(None, "green"), (0.8, "orange"), (0.95, "red")],
               "The process with the most open files against its own soft RLIMIT_NOFILE."), 6, 4)
    l.add(stat("Lowest volume space left",
               ['min(container:volume_avail:ratio%s)' % sel(name)], "percentunit",
               [(None, "red"), (0.05, "orange"), (0.15, "green")],
               "The fullest file system mounted into a container, as it sees it."), 6, 4)
    l.add(table("State",
                [('max by (name, image, compose_service) (container_running%s)' % sel(name), "running"),
                 ('max by (name, image, compose_service) (container_last_exit_code%s)' % sel(name), "exit code"),
                 ('max by (name, image, compose_service) (container_oom_killed%s)' % sel(name), "OOM killed"),
                 ('max by (name, image, compose_service) (container_health_status%s)' % sel(name + ', status="unhealthy"'), "unhealthy"),
                 ('max by (name, image, compose_service) (container_processes%s)' % sel(name), "processes")],
                "none", "Running (1), last exit code (137: killed), OOM kill of the last run, "
                "health check failing (1) and processes per container."), 24, 7)


def _cpu(l):
    l.row("CPU")
    l.add(timeseries("CPU used, cores",
                     [('container:cpu_usage_cores:rate5m%s' % sel(name), "{{name}}"),
                      ('sum without (cpu) (rate(container_cpu_usage_seconds_total%s[$__rate_interval]))' % sel(name), "{{name}} (now)")],
                     "short", "Cores used (5-minute rate, and the rate over the panel's interval)."), 12, 8)
    l.add(timeseries("CPU of its limit",
                     [('container:cpu_usage:ratio%s' % sel(name), "{{name}}")], "percentunit",
                     "80% for 15 minutes warns (ContainerCpuHigh).",
                     steps=[(None, "green"), (0.8, "red")]), 12, 8)
    l.add(timeseries("Throttled time",
                     [('rate(container_cpu_cfs_throttled_seconds_total%s[$__rate_interval])' % sel(name), "{{name}}")],
                     "s", "Seconds per second the kernel held the container back at its quota."), 12, 8)
    l.add(timeseries("CPU limit, cores",
                     [('container:cpu_limit_cores%s' % sel(name), "{{name}}")], "short",
                     "The quota in cores, or the host's cores when the container has none."), 12, 8)


def _memory(l):
    l.row("Memory")
    l.add(timeseries("Working set",
                     [('container_memory_working_set_bytes%s' % sel(name), "{{name}}")], "bytes",
                     "Usage minus inactive page cache: what the OOM killer weighs."), 12, 8)
    l.add(timeseries("Working set of its limit",
                     [('container:memory_usage:ratio%s' % sel(name), "{{name}}")], "percentunit",
                     "80% for 15 minutes warns; 95% for 5 minutes pages.",
                     steps=[(None, "green"), (0.8, "orange"), (0.95, "red")]), 12, 8)
    l.add(timeseries("Memory limit",
                     [('container_spec_memory_limit_bytes%s > 0' % sel(name), "{{name}}")], "bytes"), 12, 8)
    l.add(timeseries("Threads",
                     [('container_threads%s' % sel(name), "{{name}}")], "short",
                     "Tasks in the pids cgroup (what docker stats shows as PIDS)."), 12, 8)
    l.add(timeseries("OOM kills",
                     [('increase(container_oom_events_total%s[$__rate_interval])' % sel(name), "{{name}}")],
                     "short", "The kernel's OOM kills of the container's processes (ContainerOomKillEvent "
                     "pages on any)."), 12, 8)
    l.add(timeseries("Working set of the host's memory, no limit",
                     [('container:memory_usage_host:ratio%s' % sel(name), "{{name}}")], "percentunit",
                     "Containers without a memory limit against the host's memory: 80% for 15 "
                     "minutes warns (ContainerMemoryHighOfHost).",
                     steps=[(None, "green"), (0.8, "red")]), 12, 8)


def _processes(l):
    l.row("Processes")
    l.add(timeseries("Resident memory by program",
                     [('container_program_resident_memory_bytes%s' % sel(name), "{{name}} {{program}}")],
                     "bytes", "RSS of each program's processes (the largest programs, the rest as "
                     "\"other\")."), 12, 8)
    l.add(timeseries("CPU by program, cores",
                     [('rate(container_program_cpu_seconds_total%s[$__rate_interval])' % sel(name), "{{name}} {{program}}")],
                     "short"), 12, 8)
    l.add(timeseries("Processes by program",
                     [('container_program_processes%s' % sel(name), "{{name}} {{program}}")], "short",
                     "x2t processes are conversions in progress."), 12, 8)
    l.add(timeseries("Program starts",
                     [('changes(container_program_start_time_seconds%s[$__rate_interval])' % sel(name), "{{name}} {{program}}")],
                     "short", "A program started again inside its container (supervisord restarting "
                     "docservice or converter): more than twice in 15 minutes warns."), 12, 8)
    l.add(timeseries("Open files of the limit",
                     [('max without (program) (container_program_busiest_process_file_descriptors%s '
                       '/ (container_program_busiest_process_open_files_limit%s > 0))' % (sel(name), sel(name)),
                       "{{name}}")],
                     "percentunit", "Each container's process with the most open files against its own "
                     "soft limit: 80% for 10 minutes warns.",
                     steps=[(None, "green"), (0.8, "red")]), 12, 8)
    l.add(timeseries("Open files by program",
                     [('container_program_file_descriptors%s' % sel(name), "{{name}} {{program}}"),
                      ('container_ulimits_soft%s' % sel(name + ', ulimit="max_open_files"'), "{{name}} limit (main process)")],
                     "short"), 12, 8)


def _volumes(l):
    l.row("Volumes")
    l.add(timeseries("Volume space left",
                     [('container:volume_avail:ratio%s' % sel(name), "{{name}} {{destination}}")], "percentunit",
                     "Below 15% for 10 minutes warns, below 5% pages.",
                     steps=[(None, "red"), (0.05, "orange"), (0.15, "green")]), 12, 8)
    l.add(timeseries("Volume space available",
                     [('container_volume_avail_bytes%s' % sel(name), "{{name}} {{destination}}"),
                      ('container_volume_size_bytes%s' % sel(name), "{{name}} {{destination}} size")],
                     "bytes"), 12, 8)


def _io(l):
    l.row("I/O")
    l.add(timeseries("Network received",
                     [('sum by (name) (rate(container_network_receive_bytes_total%s[$__rate_interval]))' % sel(name), "{{name}}")],
                     "Bps"), 12, 8)
    l.add(timeseries("Network sent",
                     [('sum by (name) (rate(container_network_transmit_bytes_total%s[$__rate_interval]))' % sel(name), "{{name}}")],
                     "Bps"), 12, 8)
    l.add(timeseries("Disk read",
                     [('sum by (name) (rate(container_fs_reads_bytes_total%s[$__rate_interval]))' % sel(name), "{{name}}")],
                     "Bps"), 12, 8)
    l.add(timeseries("Disk written",
                     [('sum by (name) (rate(container_fs_writes_bytes_total%s[$__rate_interval]))' % sel(name), "{{name}}")],
                     "Bps"), 12, 8)


def build():
    l = Layout()
    _at_a_glance(l)
    _cpu(l)
    _memory(l)
    _processes(l)
    _volumes(l)
    _io(l)
    return "onlyoffice-containers.json", dashboard(
        "onlyoffice-containers", "ONLYOFFICE / Containers",
        "CPU and memory of the Document Server stack's containers against their limits, restarts, "
        "exit codes and health. cAdvisor-compatible names.",
        l, variables("container_last_seen",
                     [("container", "Container", 'label_values(container_last_seen{job=~"$job", instance=~"$instance"}, name)')]))
