package io.colloquy.shared;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Type;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.MethodParameter;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpInputMessage;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.servlet.mvc.method.annotation.RequestBodyAdviceAdapter;

/**
 * No text the API takes may hold the NUL character: PostgreSQL cannot store it, and a name, a label or a message
 * with one is a caller's mistake, answered 400 ({@code invalid-request}) before anything is read into objects or
 * stored. Checked once for every JSON body (its {@code \\u0000} escapes, in keys and values alike, however deeply
 * nested) and every query string ({@code %00}); Tomcat already refuses a NUL in the path.
 */
@ControllerAdvice
class NulCharacters extends RequestBodyAdviceAdapter implements WebMvcConfigurer {

    static final String DETAIL = "Text must not contain the NUL character (\\u0000)";

    @Override
    public boolean supports(MethodParameter parameter, Type targetType,
                            Class<? extends HttpMessageConverter<?>> converterType) {
        return true;
    }

    @Override
    public HttpInputMessage beforeBodyRead(HttpInputMessage input, MethodParameter parameter, Type targetType,
                                           Class<? extends HttpMessageConverter<?>> converterType) throws IOException {
        // bodies are small (RequestSizeLimit stops them at colloquy.max-request-bytes), so reading one whole is fine
        byte[] body = input.getBody().readAllBytes();
        if (hasNulEscape(body)) {
            throw new InvalidRequestException(DETAIL);
        }
        return new HttpInputMessage() {
            @Override
            public InputStream getBody() {
                return new ByteArrayInputStream(body);
            }

            @Override
            public HttpHeaders getHeaders() {
                return input.getHeaders();
            }
        };
    }

    /**
     * Whether JSON text holds an escaped NUL: {@code \\u0000} after an odd number of backslashes (after an even
     * number, the backslashes escape one another and "u0000" is plain text). A raw NUL byte is not valid JSON and
     * the parser refuses it already.
     */
    static boolean hasNulEscape(byte[] json) {
        for (int i = 0; i + 5 < json.length; i++) {
            if (json[i] == '\\' && json[i + 1] == 'u' && json[i + 2] == '0' && json[i + 3] == '0' && json[i + 4] == '0'
                    && json[i + 5] == '0') {
                int backslashes = 0;
                for (int j = i; j >= 0 && json[j] == '\\'; j--) {
                    backslashes++;
                }
                if (backslashes % 2 == 1) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new HandlerInterceptor() {
            @Override
            public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
                String query = request.getQueryString();
                if (query != null && query.toLowerCase(java.util.Locale.ROOT).contains("%00")) {
                    throw new InvalidRequestException(DETAIL);
                }
                return true;
            }
        }).order(100); // after the role check: a caller without the role learns nothing about its parameters
    }
}
