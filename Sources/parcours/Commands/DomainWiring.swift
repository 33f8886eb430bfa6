import ParcoursAPI
import ParcoursDomain
import ParcoursRuntime

/// Where `serve` and `dev` get the signup domain's services for the HTTP API. The one line to change when the
/// domain's implementation lands: return it here (built on `runtime`).
enum DomainWiring {
    static func services(for runtime: Runtime) -> any DomainServices {
        UnavailableDomain()
    }
}
