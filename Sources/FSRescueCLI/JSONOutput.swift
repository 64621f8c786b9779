// JSON documents on stdout: snake_case keys, ISO 8601 dates, a schema name first.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import FSRescue

/// A document with its schema name (`"schema": "fsrescue.info/1"`) beside the value's own keys.
struct Versioned<Value: Encodable>: Encodable {
    let schema: String
    let value: Value

    private enum Key: String, CodingKey { case schema }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(schema, forKey: .schema)
        try value.encode(to: encoder)
    }
}

enum JSONOutput {
    static func encoder(pretty: Bool = true) -> JSONEncoder {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return e
    }

    /// Prints `value` under `schema` to stdout.
    static func print<Value: Encodable>(_ value: Value, schema: String) throws {
        let data = try encoder().encode(Versioned(schema: schema, value: value))
        writeAll(1, data + Data("\n".utf8))
    }
}
