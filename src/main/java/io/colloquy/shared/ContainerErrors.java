package io.colloquy.shared;

import java.io.IOException;
import java.io.Writer;
import java.net.URI;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.apache.catalina.Container;
import org.apache.catalina.Valve;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import tools.jackson.databind.json.JsonMapper;

/**
 * Errors the servlet container raises itself, before or outside Spring MVC, answered as problem details like
 * every other error (never Tomcat's HTML page, never Boot's {@code /error} JSON):
 * <ul>
 * <li>a path Tomcat refuses to read (an encoded slash {@code %2F}, a NUL {@code %00}, a broken percent-escape):
 * 400, rendered by the host's error report valve, which this replaces with {@link ProblemValve};</li>
 * <li>{@code TRACE} (which Tomcat refuses, as it should: it would echo the caller's headers back): 405, through
 * the container's forward to {@code /error};</li>
 * <li>{@code /error} asked for directly: 404, as for any path that names nothing.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
class ContainerErrors {

    /** Runs after Boot's own customizer (order 0), which adds the plain valve this one replaces. */
    @Bean
    WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory> problemErrorReports(JsonMapper json) {
        return new WebServerFactoryCustomizer<>() {
            @Override
            public void customize(ConfigurableTomcatWebServerFactory factory) {
                factory.addContextCustomizers(context -> {
                    Container host = context.getParent();
                    // Boot adds a plain ErrorReportValve (HTML without the report); this one answers in JSON
                    for (Valve valve : host.getPipeline().getValves()) {
                        if (valve instanceof ErrorReportValve) {
                            host.getPipeline().removeValve(valve);
                        }
                    }
                    host.getPipeline().addValve(new ProblemValve(json));
                    if (host instanceof StandardHost standard) {
                        // so that the host does not add its default valve beside this one when it starts
                        standard.setErrorReportValveClass(ProblemValve.class.getName());
                    }
                });
            }
        };
    }

    /** The problem for an error status the container set, for a request made with {@code method}. */
    static ProblemDetail problemFor(int status, String method) {
        HttpStatus known = HttpStatus.resolve(status);
        if (status == 400) {
            return Problems.of(HttpStatus.BAD_REQUEST, "malformed-request", "Malformed request",
                    "The request's path or headers cannot be read: an encoded slash (%2F) or a NUL (%00) in the path, "
                            + "a broken percent-escape, or a malformed header");
        }
        if (status == 404) {
            return Problems.of(HttpStatus.NOT_FOUND, "not-found", "Not found", "No such resource");
        }
        if (status == 405) {
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.METHOD_NOT_ALLOWED,
                    "Method '" + safeMethod(method) + "' is not supported.");
            return Problems.traced(problem);
        }
        ProblemDetail problem = known == null ? ProblemDetail.forStatus(status) : ProblemDetail.forStatus(known);
        return Problems.traced(problem);
    }

    private static String safeMethod(String method) {
        return method != null && method.matches("[A-Za-z]{1,20}") ? method : "?";
    }

    /**
     * The host's error report valve: a response that ends in an error status with no body (Tomcat refused the
     * request before any application code saw it) gets problem details, with the headers {@link SecurityHeaders}
     * would have given it.
     */
    public static final class ProblemValve extends ErrorReportValve {

        private final JsonMapper json;

        public ProblemValve() {
            this(JsonMapper.builder().build());
        }

        ProblemValve(JsonMapper json) {
            this.json = json;
            setShowReport(false);
            setShowServerInfo(false);
        }

        @Override
        protected void report(Request request, Response response, Throwable throwable) {
            int status = response.getStatus();
            if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
                return;
            }
            AtomicBoolean ioAllowed = new AtomicBoolean(false);
            response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
            if (!ioAllowed.get()) {
                return;
            }
            try {
                ProblemDetail problem = problemFor(status, request.getMethod());
                String body = json.writeValueAsString(problem);
                response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
                response.setCharacterEncoding("UTF-8");
                SecurityHeaders.apply(response, SecurityHeaders.API_POLICY);
                Writer writer = response.getReporter();
                if (writer != null) {
                    writer.write(body);
                    response.finishResponse();
                }
            } catch (IOException | IllegalStateException e) {
                // the connection is gone or the response is in no state to take a body: nothing more to say
            }
        }
    }

    /**
     * {@code /error}: the container's forward for an error status it set itself (the request's own status and
     * method are used), and a plain 404 when someone asks for the path.
     */
    @RestController
    @io.swagger.v3.oas.annotations.Hidden // the container's, not an operation of the API
    static class ErrorPath implements ErrorController {

        private final JsonMapper json;

        ErrorPath(JsonMapper json) {
            this.json = json;
        }

        @RequestMapping("${server.error.path:${error.path:/error}}")
        void error(HttpServletRequest request, HttpServletResponse response) throws IOException {
            Object status = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
            ProblemDetail problem;
            String path;
            if (request.getDispatcherType() == DispatcherType.ERROR && status instanceof Integer code && code >= 400) {
                // the forward is a GET: the caller's method is kept in an attribute
                Object method = request.getAttribute(RequestDispatcher.ERROR_METHOD);
                problem = problemFor(code, method instanceof String m ? m : request.getMethod());
                path = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI) instanceof String uri ? uri : null;
            } else {
                problem = problemFor(404, request.getMethod());
                path = request.getRequestURI();
            }
            if (path != null && !path.isEmpty()) {
                try {
                    problem.setInstance(URI.create(path));
                } catch (IllegalArgumentException unparsable) {
                    // the path is what the container refused: the problem goes without it
                }
            }
            if (response.isCommitted()) {
                return;
            }
            response.resetBuffer();
            response.setStatus(problem.getStatus());
            response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            json.writeValue(response.getOutputStream(), problem);
        }
    }
}
