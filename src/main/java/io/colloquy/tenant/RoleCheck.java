package io.colloquy.tenant;

import java.util.Arrays;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.MethodParameter;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Enforces {@link RequiresRole} before a handler runs, and hands the resolved
 * {@link TenantPrincipal} to handlers that declare it as a parameter.
 */
class RoleCheck implements HandlerInterceptor, HandlerMethodArgumentResolver {

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        // registered for /api/** only, matched on the decoded path: every handler it sees is an API endpoint
        if (!(handler instanceof HandlerMethod method)) {
            return true;
        }
        RequiresRole required = AnnotatedElementUtils.findMergedAnnotation(method.getMethod(), RequiresRole.class);
        if (required == null) {
            required = AnnotatedElementUtils.findMergedAnnotation(method.getBeanType(), RequiresRole.class);
        }
        if (required == null) {
            // every API endpoint must state who may call it; an endpoint that forgot is closed, not open
            throw new ForbiddenException("This endpoint declares no role");
        }
        TenantPrincipal principal = (TenantPrincipal) request.getAttribute(ApiKeyAuthenticationFilter.PRINCIPAL_ATTRIBUTE);
        if (principal == null) {
            throw new ForbiddenException("No caller was resolved for this request");
        }
        if (required.platform() && !principal.isPlatform()) {
            throw new ForbiddenException("This endpoint needs a platform key");
        }
        List<Role> roles = Arrays.asList(required.value());
        if (roles.stream().noneMatch(principal::has)) {
            throw new ForbiddenException("This endpoint needs one of the roles " + roles);
        }
        return true;
    }

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return parameter.getParameterType() == TenantPrincipal.class;
    }

    @Override
    public Object resolveArgument(MethodParameter parameter, ModelAndViewContainer mavContainer,
            NativeWebRequest webRequest, WebDataBinderFactory binderFactory) {
        Object principal = webRequest.getAttribute(ApiKeyAuthenticationFilter.PRINCIPAL_ATTRIBUTE,
                RequestAttributes.SCOPE_REQUEST);
        if (principal == null) {
            throw new ForbiddenException("No caller was resolved for this request");
        }
        return principal;
    }
}
