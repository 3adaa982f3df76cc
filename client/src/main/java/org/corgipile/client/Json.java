package org.corgipile.client;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The one Jackson mapper of the client (thread-safe once configured). */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }
}
