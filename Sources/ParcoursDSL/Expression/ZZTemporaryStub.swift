// TEMPORARY: replaced by the real expression language; lets the rest compile meanwhile.
import Foundation

public struct Expression: Hashable, Sendable {
    public let source: String
    public let location: SourceLocation
    public static func parse(_ source: String, at location: SourceLocation) -> (Expression?, [Diagnostic]) {
        (Expression(source: source, location: location), [])
    }
    public func typeCheck(in scope: TypeScope) -> (type: ValueType, diagnostics: [Diagnostic]) { (.any, []) }
    public func evaluate(in environment: EvaluationEnvironment) throws(EvaluationError) -> Value { .null }
    public var referencedPaths: [[String]] { [] }
}
public struct TypeScope: Sendable {
    public var roots: [String: ValueType]
    public var unavailableRoots: [String: String]
    public init(roots: [String: ValueType], unavailableRoots: [String: String] = [:]) {
        self.roots = roots
        self.unavailableRoots = unavailableRoots
    }
}
public struct EvaluationEnvironment: Sendable {
    public var roots: [String: Value]
    public var now: Date
    public init(roots: [String: Value], now: Date) {
        self.roots = roots
        self.now = now
    }
}
public struct EvaluationError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public var location: SourceLocation
    public var description: String { message }
}
public struct TemplateString: Hashable, Sendable {
    public let source: String
    public static func parse(_ source: String, at location: SourceLocation) -> (TemplateString?, [Diagnostic]) {
        (TemplateString(source: source), [])
    }
    public func typeCheck(in scope: TypeScope) -> (containsSecret: Bool, diagnostics: [Diagnostic]) { (false, []) }
    public func render(in environment: EvaluationEnvironment) throws(EvaluationError) -> String { source }
    public var expressions: [Expression] { [] }
}
