# Nomad job for microblog: stateless replicas registered in Consul, checked on
# the same probes Kubernetes uses.
job "microblog" {
  datacenters = ["dc1"]
  type        = "service"

  update {
    max_parallel     = 1
    min_healthy_time = "10s"
    healthy_deadline = "2m"
    auto_revert      = true
  }

  group "web" {
    count = 2

    network {
      port "http" {
        to = 3000
      }
      # /metrics (METRICS_ADDR), never on the public port.
      port "metrics" {
        to = 9090
      }
    }

    service {
      name     = "microblog"
      port     = "http"
      provider = "consul"
      tags     = ["http", "blog"]

      check {
        name     = "ready"
        type     = "http"
        path     = "/readyz"
        interval = "5s"
        timeout  = "2s"
      }

      check {
        name     = "alive"
        type     = "http"
        path     = "/healthz"
        interval = "15s"
        timeout  = "2s"
      }
    }

    # Scraped by Prometheus through Consul service discovery
    # (`consul_sd_configs` keeping the `prometheus` tag).
    service {
      name     = "microblog-metrics"
      port     = "metrics"
      provider = "consul"
      tags     = ["prometheus"]
      meta {
        metrics_path = "/metrics"
      }

      check {
        name     = "metrics"
        type     = "http"
        path     = "/metrics"
        interval = "30s"
        timeout  = "2s"
      }
    }

    task "microblog" {
      driver = "docker"
      # Deregistered from Consul first, then 5 s before the signal; then
      # SHUTDOWN_DRAIN_SECS (5) + SHUTDOWN_GRACE_SECS (10), with room to spare.
      shutdown_delay = "5s"
      kill_timeout   = "20s"

      config {
        image = "microblog:latest"
        args  = ["serve"]
        ports = ["http", "metrics"]
      }

      env {
        LEPTOS_SITE_ADDR    = "0.0.0.0:3000"
        LEPTOS_ENV          = "PROD"
        SITE_URL            = "https://blog.example.com"
        LOG_FORMAT          = "json"
        SHUTDOWN_GRACE_SECS = "10"
        SHUTDOWN_DRAIN_SECS = "5"
        METRICS_ADDR        = "0.0.0.0:9090"
        PAGE_CACHE_MB       = "64"
      }

      # Measured (README, "Memory"): the shipped content peaks at 62 MB with
      # every page cached, 57-77 MB under load; 192 MB leaves room for
      # PAGE_CACHE_MB (64) over a site of ~1,000 posts.
      resources {
        cpu    = 100
        memory = 192
      }
    }
  }
}
