# An example of two services talking through a Consul service mesh: a
# counting API and a dashboard that calls it. Each group gets an Envoy
# sidecar proxy from Nomad; the dashboard reaches the API through its
# sidecar on a local port instead of the API's real address.
#
# It needs Consul with service mesh enabled and the CNI plugins on the
# clients. Reference: https://developer.hashicorp.com/nomad/docs/networking/consul
job "countdash" {
  # What the web UI shows on the job's page.
  ui {
    description = "Sample Consul Service Mesh Job"
    link {
      label = "Learn more about Nomad"
      url   = "https://developer.hashicorp.com/nomad"
    }
    link {
      label = "Learn more about Consul"
      url   = "https://developer.hashicorp.com/consul"
    }
  }

  # The counting API.
  group "api" {
    # Bridge networking gives the group its own network namespace, which
    # the sidecar proxy shares.
    network {
      mode = "bridge"
    }

    # The API listens on 9001 inside the namespace; only the mesh reaches it.
    service {
      name = "count-api"
      port = "9001"

      # An empty sidecar_service asks for a default Envoy sidecar.
      connect {
        sidecar_service {}
      }
    }

    task "web" {
      driver = "docker"

      config {
        image          = "hashicorpdev/counter-api:v3"
        auth_soft_fail = true
      }

      # Leave the mesh before the task stops.
      shutdown_delay = "10s"

      # CPU in MHz, memory in MB.
      resources {
        cpu    = 500
        memory = 256
      }
    }
  }

  # The dashboard, published on port 9002 of its node.
  group "dashboard" {
    network {
      mode = "bridge"

      port "http" {
        static = 9002
        to     = 9002
      }
    }

    service {
      name = "count-dashboard"
      port = "9002"

      # The sidecar listens on local port 8080 and forwards to "count-api".
      connect {
        sidecar_service {
          proxy {
            upstreams {
              destination_name = "count-api"
              local_bind_port  = 8080
            }
          }
        }
      }
    }

    task "dashboard" {
      driver = "docker"

      # Nomad fills in the upstream's local address (127.0.0.1:8080).
      env {
        COUNTING_SERVICE_URL = "http://${NOMAD_UPSTREAM_ADDR_count_api}"
      }

      config {
        image          = "hashicorpdev/counter-dashboard:v3"
        auth_soft_fail = true
      }

      shutdown_delay = "10s"
    }
  }
}
