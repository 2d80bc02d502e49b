package io.colloquy.tenant;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** The caller's key must hold at least one of these roles; checked before the handler runs. */
@Target({ElementType.METHOD, ElementType.TYPE})
@Retention(RetentionPolicy.RUNTIME)
public @interface RequiresRole {

    Role[] value();

    /** Only a platform key (not bound to a tenant) qualifies. */
    boolean platform() default false;
}
