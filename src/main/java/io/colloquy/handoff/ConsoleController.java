package io.colloquy.handoff;

import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/** Serves the agent console (static files under /console/); the page itself calls the agent API. */
@Controller
class ConsoleController {

    @GetMapping({"/console", "/console/"})
    String console() {
        return "redirect:/console/index.html";
    }
}
