# An example job to start from: one Redis container, run with Docker and
# registered in Nomad's own service catalog. Change it to describe your
# workload, check it with "nomad-ts job validate", then submit it with
# "nomad-ts job run". A file holds one job.
#
# Every block is described in Nomad's job specification reference:
# https://developer.hashicorp.com/nomad/docs/job-specification

# The label is the job's ID (and its name unless "name" is set); it must be
# unique within the namespace.
job "example" {
  # Uncomment to pin the job to a region other than the agent's own
  # (the default region is "global").
  # region = "global"

  # Datacenters the job may be placed in; "*" accepts every datacenter and
  # other glob patterns work too.
  datacenters = ["*"]

  # The scheduler to use: "service" keeps long-running tasks up, "batch"
  # runs tasks to completion, "system" and "sysbatch" run on every node.
  type = "service"

  # Placement can be restricted with constraints, for example to Linux
  # machines. They may also go in a group or a task.
  # constraint {
  #   attribute = "${attr.kernel.name}"
  #   value     = "linux"
  # }

  # How new versions of the job roll out. Written here it applies to every
  # group; a group's own update block overrides the fields it sets.
  update {
    # Replace one allocation at a time.
    max_parallel = 1

    # A new allocation must stay healthy this long to count as healthy...
    min_healthy_time = "10s"

    # ...and must get there within this time, or it is marked unhealthy.
    healthy_deadline = "3m"

    # The deployment fails when no allocation turns healthy for this long.
    progress_deadline = "10m"

    # Set to true to go back to the last stable version when a deployment
    # fails.
    auto_revert = false

    # A number above zero first starts that many canaries beside the old
    # allocations; the rollout goes on once they are promoted.
    canary = 0
  }

  # How allocations move away from a node that is being drained.
  migrate {
    # Move one allocation at a time.
    max_parallel = 1

    # "checks" waits for the service checks to pass; "task_states" only
    # waits for the tasks to be running.
    health_check = "checks"

    # A moved allocation must be healthy this long before the next one moves,
    min_healthy_time = "10s"

    # and gets this long to become healthy.
    healthy_deadline = "5m"
  }

  # What the web UI shows on the job's page.
  ui {
    description = "Nomad **Example** Job"
    link {
      label = "Learn more about Nomad"
      url   = "https://developer.hashicorp.com/nomad"
    }
  }

  # A group is a set of tasks that always run together on the same node,
  # sharing the allocation's network and disk.
  group "cache" {
    # How many copies (allocations) of the group to run.
    count = 1

    # The group's network: a dynamic host port named "db", mapped to port
    # 6379 inside the container.
    network {
      port "db" {
        to = 6379
      }
    }

    # Registers the group in Nomad's service catalog, so other jobs can find
    # Redis by the name "redis-cache".
    service {
      name     = "redis-cache"
      tags     = ["global", "cache"]
      port     = "db"
      provider = "nomad"

      # A health check marks the service unhealthy when Redis stops
      # accepting connections.
      # check {
      #   name     = "alive"
      #   type     = "tcp"
      #   interval = "10s"
      #   timeout  = "2s"
      # }
    }

    # What happens when a task exits or fails on its node: up to two
    # restarts every 30 minutes, 15 seconds apart; after that the allocation
    # fails and the scheduler may place it elsewhere.
    restart {
      attempts = 2
      interval = "30m"
      delay    = "15s"
      mode     = "fail"
    }

    # Scratch disk shared by the group's tasks, in MB. "sticky" keeps it on
    # the same node across updates; "migrate" copies it when the allocation
    # moves.
    ephemeral_disk {
      # sticky  = true
      # migrate = true
      size = 300
    }

    # Prefer some nodes over others without requiring them.
    # affinity {
    #   attribute = "${node.datacenter}"
    #   value     = "us-west1"
    #   weight    = 100
    # }

    # Spread allocations across the values of an attribute.
    # spread {
    #   attribute = "${node.datacenter}"
    #   target "us-east1" {
    #     percent = 60
    #   }
    #   target "us-west1" {
    #     percent = 40
    #   }
    # }

    # A task is one process or container; this one runs Redis in Docker.
    task "redis" {
      driver = "docker"

      # Driver settings: the image to pull and the network ports, by the
      # names of the group's network block, to expose.
      config {
        image = "redis:7"
        ports = ["db"]

        # Pull anonymously when no registry credentials are found.
        auth_soft_fail = true
      }

      # Deregister the service, then wait this long before stopping the task,
      # so clients stop sending it requests first.
      shutdown_delay = "10s"

      # Files to download into the task directory before it starts.
      # artifact {
      #   source = "https://example.com/files/config.tar.gz"
      # }

      # How many log files to keep per stream and how large (MB) each may grow.
      # logs {
      #   max_files     = 10
      #   max_file_size = 15
      # }

      # Give the task its workload identity token, as the NOMAD_TOKEN
      # environment variable and as secrets/nomad_token.
      identity {
        env  = true
        file = true
      }

      # What the task needs from its node: CPU in MHz, memory in MB.
      resources {
        cpu    = 500
        memory = 256
      }

      # Render a file from a template, re-rendered when the data it reads
      # changes.
      # template {
      #   data        = "REDIS_MAXMEMORY={{ env \"NOMAD_MEMORY_LIMIT\" }}mb"
      #   destination = "local/redis.env"
      #   env         = true
      # }
    }
  }
}
