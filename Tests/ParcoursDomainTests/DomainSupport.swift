import ParcoursTestSupport
import Testing

@testable import ParcoursDomain
